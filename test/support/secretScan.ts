import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Looks for secrets in what a daemon leaves behind: every file under a folder (text or not,
 * read as bytes) and any other text (CLI output, mails). A secret counts as found in any of
 * the forms it could be written in: as it is, URL-encoded (a connection string), or base64 (an
 * Authorization header, SMTP AUTH PLAIN).
 */
export interface Finding {
  secret: string;
  form: 'plain' | 'url-encoded' | 'base64';
  where: string;
}

export interface ScanTotals {
  files: number;
  bytes: number;
  texts: number;
  textBytes: number;
}

export function secretForms(secret: string): Array<[Finding['form'], Buffer]> {
  const forms: Array<[Finding['form'], string]> = [
    ['plain', secret],
    ['url-encoded', encodeURIComponent(secret)],
    ['base64', Buffer.from(secret).toString('base64').replace(/=+$/, '')],
  ];
  // A form equal to an earlier one (a secret URL encoding leaves unchanged) is looked for once.
  const seen = new Set<string>();
  return forms.filter(([, text]) => !seen.has(text) && seen.add(text)).map(([form, text]) => [form, Buffer.from(text)]);
}

export class SecretScan {
  readonly findings: Finding[] = [];
  readonly totals: ScanTotals = { files: 0, bytes: 0, texts: 0, textBytes: 0 };
  private readonly secrets: Map<string, Array<[Finding['form'], Buffer]>>;

  /** `secrets`: a label for each secret (the label is what a failure names, never the secret). */
  constructor(secrets: Record<string, string>) {
    this.secrets = new Map(Object.entries(secrets).map(([label, secret]) => [label, secretForms(secret)]));
  }

  get secretCount(): number {
    return this.secrets.size;
  }

  /** Every file under `dir` except those `exempt` names (relative paths that hold secrets by design). */
  scanFolder(dir: string, exempt: (path: string) => boolean): string[] {
    const scanned: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const path = relative(dir, join(entry.parentPath, entry.name));
      if (exempt(path)) continue;
      const bytes = readFileSync(join(dir, path));
      this.totals.files += 1;
      this.totals.bytes += bytes.length;
      this.look(bytes, `file ${path}`);
      scanned.push(path);
    }
    return scanned;
  }

  scanText(text: string, where: string): void {
    const bytes = Buffer.from(text);
    this.totals.texts += 1;
    this.totals.textBytes += bytes.length;
    this.look(bytes, where);
  }

  private look(bytes: Buffer, where: string): void {
    for (const [label, forms] of this.secrets) {
      for (const [form, needle] of forms) {
        if (bytes.includes(needle)) this.findings.push({ secret: label, form, where });
      }
    }
  }
}
