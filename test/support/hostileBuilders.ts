import { deflateSync, zipSync } from 'fflate';

/**
 * Raw builders for the hostile corpus (hostileCorpus.ts): PDFs, XML and ZIP archives written
 * byte by byte, because the hostile shapes (100 000 objects, dictionaries nested 100 000 deep,
 * archives whose headers lie) are exactly what pdfkit and fflate would never write.
 */

/** A deterministic PRNG (mulberry32): the same seed gives the same corpus on every machine. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** A whole number in [min, max]. */
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** The bytes cut at a random point inside (never empty, never whole). */
export function truncateAt(bytes: Buffer, random: Random, from = 1): { bytes: Buffer; at: number } {
  const at = random.int(from, bytes.length - 1);
  return { bytes: Buffer.from(bytes.subarray(0, at)), at };
}

/** A copy with `count` random bits flipped. */
export function flipBits(bytes: Buffer, random: Random, count: number): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = 0; i < count; i++) copy[random.int(0, copy.length - 1)]! ^= 1 << random.int(0, 7);
  return copy;
}

/**
 * A PDF from object bodies (object n is bodies[n - 1]), with a correct xref table; object 1
 * must be the catalog.
 */
export function rawPdf(bodies: string[]): Buffer {
  const parts: string[] = ['%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n'];
  let offset = Buffer.byteLength(parts[0]!, 'latin1');
  const offsets: number[] = [];
  bodies.forEach((body, index) => {
    offsets.push(offset);
    const text = `${index + 1} 0 obj\n${body}\nendobj\n`;
    parts.push(text);
    offset += Buffer.byteLength(text, 'latin1');
  });
  const xref = [`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`];
  for (const at of offsets) xref.push(`${String(at).padStart(10, '0')} 00000 n \n`);
  parts.push(...xref, `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

const PAGE_TEXT = 'BT /F1 12 Tf 72 720 Td (Faktura hostile) Tj ET';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** One page of text, then `extra` filler objects nobody refers to: a huge object count. */
export function pdfWithObjects(extra: number): Buffer {
  const bodies = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${PAGE_TEXT.length} >>\nstream\n${PAGE_TEXT}\nendstream`,
    FONT,
  ];
  for (let i = 0; i < extra; i++) bodies.push(`<< /N ${i} /S (filler) >>`);
  return rawPdf(bodies);
}

/** `pages` pages, all showing the same content stream: a page tree far larger than any invoice. */
export function pdfWithPages(pages: number): Buffer {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 5} 0 R`).join(' ');
  const bodies = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    `<< /Length ${PAGE_TEXT.length} >>\nstream\n${PAGE_TEXT}\nendstream`,
    FONT,
  ];
  for (let i = 0; i < pages; i++)
    bodies.push(
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>',
    );
  return rawPdf(bodies);
}

/** A page whose resources (or content) hold a structure nested `depth` deep. */
export function pdfNested(depth: number, shape: 'dictionary' | 'array' | 'pageTree'): Buffer {
  if (shape === 'pageTree') {
    // Pages nodes each holding the next: a page tree `depth` levels deep.
    const bodies = ['<< /Type /Catalog /Pages 2 0 R >>'];
    for (let level = 0; level < depth; level++)
      bodies.push(
        `<< /Type /Pages /Kids [${level + 3} 0 R] /Count 1${level > 0 ? ` /Parent ${level + 1} 0 R` : ''} >>`,
      );
    bodies.push(`<< /Type /Page /Parent ${depth + 1} 0 R /MediaBox [0 0 612 792] >>`);
    return rawPdf(bodies);
  }
  const nested =
    shape === 'dictionary'
      ? `${'<< /A '.repeat(depth)}1${' >>'.repeat(depth)}`
      : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /Deep 6 0 R >> >>',
    `<< /Length ${PAGE_TEXT.length} >>\nstream\n${PAGE_TEXT}\nendstream`,
    FONT,
    `<< /Deep ${nested} >>`,
  ]);
}

const UBL_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">';

/** A UBL invoice element holding `count` empty elements (within the intake size limit). */
export function xmlWithElements(count: number, element = '<a/>'): Buffer {
  return Buffer.from(`${UBL_OPEN}<cbc:ID>MANY-${count}</cbc:ID>${element.repeat(count)}</Invoice>`);
}

/** A UBL invoice element with one child nested `depth` deep. */
export function xmlNested(depth: number): Buffer {
  return Buffer.from(
    `${UBL_OPEN}<cbc:ID>DEEP-${depth}</cbc:ID>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</Invoice>`,
  );
}

/** The classic billion laughs: `levels` entities each referring to the previous one ten times. */
export function billionLaughs(levels: number, fanOut = 10): string {
  const declarations = ['<!ENTITY lol0 "lol">'];
  for (let level = 1; level <= levels; level++)
    declarations.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(fanOut)}">`);
  return `<?xml version="1.0"?>\n<!DOCTYPE Invoice [\n${declarations.join('\n')}\n]>\n${UBL_OPEN.replace(/^<\?xml[^>]*>\n/, '')}<cbc:ID>&lol${levels};</cbc:ID></Invoice>`;
}

/** One large entity referred to many times: quadratic blow-up without nesting. */
export function quadraticBlowup(entityBytes: number, references: number): string {
  return `<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY a "${'a'.repeat(entityBytes)}">]>\n${UBL_OPEN.replace(/^<\?xml[^>]*>\n/, '')}<cbc:Note>${'&a;'.repeat(references)}</cbc:Note></Invoice>`;
}

export interface RawZipEntry {
  name: string;
  /** The stored (maybe compressed) bytes. */
  data: Uint8Array;
  method?: number;
  /** What the headers claim the entry inflates to (a liar by default only when told). */
  declaredSize?: number;
  flags?: number;
}

/** A ZIP archive written by hand, so that its headers can say whatever a hostile sender wants. */
export function rawZip(entries: RawZipEntry[], options: { declaredCount?: number; zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const flags = (entry.flags ?? 0) | 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.method ?? 8, 8);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.declaredSize ?? entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(entry.method ?? 8, 10);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.declaredSize ?? entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(entry.data));
    centrals.push(central, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = options.zip64 ? 0xffff : (options.declaredCount ?? entries.length);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

let zerosCache: Map<number, Uint8Array> | undefined;
/** `megabytes` of zeros, deflated (a few tens of kilobytes): the payload of every zip bomb here. */
export function deflatedZeros(megabytes: number): Uint8Array {
  zerosCache ??= new Map();
  let found = zerosCache.get(megabytes);
  if (!found) {
    found = deflateSync(new Uint8Array(megabytes * 1024 * 1024), { level: 9 });
    zerosCache.set(megabytes, found);
  }
  return found;
}

/** An ordinary .isdocx: the .isdoc in the root, its PDF beside it, and whatever else is given (first or after). */
export function isdocx(isdoc: string | Buffer, extra: Record<string, Uint8Array> = {}, extraFirst = false): Buffer {
  const invoice = { 'invoice.isdoc': Buffer.from(isdoc) };
  const entries = extraFirst ? { ...extra, ...invoice } : { ...invoice, ...extra };
  return Buffer.from(zipSync(entries, { level: 6, mtime: new Date(Date.UTC(2026, 0, 1)) }));
}

export { deflateSync };
