import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { TOKEN, type DaemonProcess } from './daemonProcess.ts';
import type { Dovecot } from './dovecot.ts';
import type { HostileMutant } from './hostileCorpus.ts';

/**
 * Sending the hostile corpus through the daemon's three intake channels. The oversize file is
 * generated while it is written or sent, in 1 MB pieces, never held whole (except as a mail:
 * IMAP APPEND takes the mail as one buffer, held by this runner, never by the daemon).
 */
const PIECE = 1024 * 1024;

function piece(index: number): Buffer {
  // A PDF header first, so the refusal is for the size and not for the type.
  const chunk = Buffer.alloc(PIECE, 0x20);
  if (index === 0) chunk.write('%PDF-1.7\n');
  return chunk;
}

/** Writes a drop-folder file; the oversize one streamed. */
export async function dropFile(inbox: string, mutant: HostileMutant): Promise<void> {
  const path = join(inbox, mutant.filename);
  if (mutant.streamedSize === undefined) return writeFile(path, mutant.bytes!);
  const out = createWriteStream(path);
  for (let i = 0; i * PIECE < mutant.streamedSize; i++) {
    if (!out.write(piece(i).subarray(0, Math.min(PIECE, mutant.streamedSize - i * PIECE)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown> | null;
  /** A transport failure (connection reset before any answer). */
  error?: string;
}

export async function upload(daemon: DaemonProcess, mutant: HostileMutant): Promise<HttpAnswer> {
  if (mutant.streamedSize !== undefined) return streamUpload(daemon, mutant);
  try {
    let response: Response;
    if (mutant.form === 'json') {
      response = await daemon.request('/api/invoices', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          file_b64: mutant.bytes!.toString('base64'),
          filename: mutant.filename,
          subject: mutant.id,
        }),
      });
    } else {
      const form = new FormData();
      form.set('subject', mutant.id);
      form.set(
        'file',
        new Blob([mutant.bytes!], { type: mutant.contentType ?? 'application/octet-stream' }),
        mutant.filename,
      );
      response = await daemon.request('/api/invoices', { method: 'POST', body: form });
    }
    const text = await response.text();
    return { status: response.status, body: parse(text) };
  } catch (error) {
    return { status: 0, body: null, error: (error as Error).message };
  }
}

function parse(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text: text.slice(0, 300) };
  }
}

/**
 * The oversize upload as a multipart body written in 1 MB pieces. The daemon may answer (413)
 * long before the body ends: writing stops at its answer.
 */
function streamUpload(daemon: DaemonProcess, mutant: HostileMutant): Promise<HttpAnswer> {
  const size = mutant.streamedSize!;
  const boundary = `hostile-${mutant.id}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${mutant.filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve) => {
    let answered = false;
    const req = request(daemon.url('/api/invoices'), {
      method: 'POST',
      headers: {
        'x-api-key': TOKEN,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + size + tail.length,
      },
    });
    req.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on('error', (error) => {
      // A server that answered and closed: the answer counts, the reset does not.
      if (!answered) resolve({ status: 0, body: null, error: error.message });
    });
    void (async () => {
      req.write(head);
      for (let i = 0; i * PIECE < size && !answered && !req.destroyed; i++) {
        if (!req.write(piece(i).subarray(0, Math.min(PIECE, size - i * PIECE))))
          await once(req, 'drain').catch(() => undefined);
      }
      if (!answered && !req.destroyed) req.end(tail);
    })();
  });
}

/** A mail of about `size` bytes: headers and one base64 attachment, for the oversize IMAP case. */
export function oversizeMail(mutant: HostileMutant): Buffer {
  const head = Buffer.from(
    [
      'From: Faktury <faktury@supplier.test>',
      'To: invoices@customer.test',
      `Subject: hostile ${mutant.id}`,
      `Message-ID: <${mutant.id}@hostile.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="big"',
      '',
      '--big',
      `Content-Type: application/pdf; name="${mutant.filename}"`,
      `Content-Disposition: attachment; filename="${mutant.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      '',
    ].join('\r\n'),
  );
  const line = Buffer.from(`${'A'.repeat(76)}\r\n`);
  const body = Buffer.alloc(Math.floor(mutant.streamedSize! / line.length) * line.length);
  for (let at = 0; at < body.length; at += line.length) line.copy(body, at);
  return Buffer.concat([head, body, Buffer.from('--big--\r\n')]);
}

export function appendMail(dovecot: Dovecot, mutant: HostileMutant): Promise<number> {
  return dovecot.append(mutant.mail ?? oversizeMail(mutant));
}
