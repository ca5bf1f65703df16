/**
 * The name a document is stored, shown and downloaded under, whatever its channel sent. A name
 * is the sender's text: an upload may say `../../etc/passwd`, a mail `..\..\win.ini`, `C:\x`,
 * a NUL, a right-to-left override that shows `invoice‮fdp.exe` as `invoiceexe.pdf`, or ten
 * thousand characters. No file is ever written under this name (the drop folder moves files by
 * the name they have on disk, the outbox names files after the invoice), but the name reaches
 * the console, the API's Content-Disposition, alert mails and whatever an operator saves a
 * download as, so it is cut down to one plain file name here, once, in ingest.
 */

/** Bytes of UTF-8, well below the 255 of every common file system, with room for a `-2` suffix. */
export const MAX_FILENAME_BYTES = 200;

// Windows refuses these as file names whatever their extension (CON.pdf opens the console).
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;
// Characters Windows does not allow in a name; ':' also makes an NTFS alternate data stream.
const WINDOWS_RESERVED = /[<>:"|?*]/g;
// Control characters (NUL, newlines, ESC) and invisible format characters: bidi overrides and
// isolates, zero-width spaces and joiners, the BOM, soft hyphens.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export function safeFilename(sent: string | undefined | null, fallback = 'document'): string {
  // NFKC first: a fullwidth solidus (U+FF0F) or dot (U+FF0E) becomes the '/' or '.' it looks
  // like, so the separators below see it.
  const visible = (sent ?? '').normalize('NFKC').replace(INVISIBLE, '');
  const last = visible.split(/[\\/]/).pop() ?? '';
  const plain = last
    .replace(WINDOWS_RESERVED, '_')
    .replace(/\s+/g, ' ')
    // Leading dots hide a file (or are `..`); Windows drops trailing dots and spaces itself.
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const named = WINDOWS_DEVICE.test(plain) ? `_${plain}` : plain;
  // A name that was only an extension (".pdf") keeps it behind the fallback: the type stays visible.
  const onlyExtension = /^[\s.]*\.([\p{L}\p{N}]{1,10})[\s.]*$/u.exec(last);
  if (onlyExtension) return `${fallback}.${onlyExtension[1]}`;
  return shorten(named, MAX_FILENAME_BYTES) || fallback;
}

/** At most `max` bytes of UTF-8, the extension kept (it tells the type), never half a character. */
function shorten(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = '';
  for (const character of name.slice(0, name.length - extension.length)) {
    if (Buffer.byteLength(stem + character + extension) > max) break;
    stem += character;
  }
  return stem.trimEnd() + extension;
}
