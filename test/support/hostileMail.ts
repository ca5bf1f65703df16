import type { Random } from './hostileBuilders.ts';

/**
 * Malformed mails for the hostile corpus, written as raw RFC 5322 text because a real mailer
 * (nodemailer) would never write them: broken boundaries, bad base64, missing headers,
 * multiparts nested 1 000 deep, unknown charsets, NUL bytes, a thousand parts.
 */
export interface MalformedMail {
  variant: string;
  raw: Buffer;
}

const CRLF = '\r\n';

function headers(id: string, extra: string[] = [], omit: string[] = []): string[] {
  const all: Record<string, string> = {
    From: 'Faktury <faktury@supplier.test>',
    To: 'invoices@customer.test',
    Subject: `hostile ${id}`,
    Date: 'Sun, 06 Dec 2026 10:00:00 +0000',
    'Message-ID': `<${id}@hostile.test>`,
    'MIME-Version': '1.0',
  };
  return [
    ...Object.entries(all)
      .filter(([name]) => !omit.includes(name))
      .map(([n, v]) => `${n}: ${v}`),
    ...extra,
  ];
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

function pdfPart(boundary: string, pdf: Buffer, name: string, extraHeaders: string[] = []): string {
  return [
    `--${boundary}`,
    `Content-Type: application/pdf; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    ...extraHeaders,
    '',
    base64Lines(pdf),
  ].join(CRLF);
}

const text = (boundary: string, body = 'Dobrý deň, v prílohe faktúra.', charset = 'utf-8') =>
  [`--${boundary}`, `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: 8bit', '', body].join(
    CRLF,
  );

function mixed(id: string, parts: string[], boundary = `b-${id}`, options: { omit?: string[]; extra?: string[] } = {}) {
  return [
    ...headers(id, [`Content-Type: multipart/mixed; boundary="${boundary}"`, ...(options.extra ?? [])], options.omit),
    '',
    ...parts,
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** The malformed mails, in a fixed order; `pdf` is a good document each carries somewhere. */
export function malformedMails(id: string, pdf: Buffer, random: Random): Array<() => MalformedMail> {
  const b = `b-${id}`;
  const name = `${id}.pdf`;
  const make = (variant: string, raw: string | Buffer) => ({
    variant,
    raw: typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw,
  });
  return [
    () =>
      make(
        'the parts use another boundary than the header declares',
        mixed(id, [text('other'), pdfPart('other', pdf, name)], b).replace(`--${b}--`, '--other--'),
      ),
    () => make('no closing boundary', mixed(id, [text(b), pdfPart(b, pdf, name)]).replace(`--${b}--\r\n`, '')),
    () => {
      const good = base64Lines(pdf).split(CRLF);
      const at = random.int(0, good.length - 1);
      good[at] = '!!!@@@###$$$%%%^^^&&&***((()))___+++===';
      return make(
        'bad base64 in the attachment',
        mixed(id, [text(b), pdfPart(b, Buffer.alloc(0), name).replace(/\r\n$/, '') + good.join(CRLF)]),
      );
    },
    () =>
      make(
        'no From, Date, Message-ID or Subject',
        mixed(id, [text(b), pdfPart(b, pdf, name)], b, { omit: ['From', 'Date', 'Message-ID', 'Subject'] }),
      ),
    () => make('no headers at all, only a body', `${CRLF}${base64Lines(pdf)}${CRLF}`),
    () => {
      // Multiparts nested 1 000 deep, the invoice at the bottom.
      const depth = 1000;
      const open: string[] = [];
      const close: string[] = [];
      for (let level = 0; level < depth; level++) {
        const boundary = `n${level}-${id}`;
        open.push(
          `--${level === 0 ? b : `n${level - 1}-${id}`}`,
          `Content-Type: multipart/mixed; boundary="${boundary}"`,
          '',
        );
        close.unshift(`--${boundary}--`);
      }
      const bottom = pdfPart(`n${depth - 1}-${id}`, pdf, name);
      return make('multiparts nested 1 000 deep', mixed(id, [text(b), ...open, bottom, ...close]));
    },
    () =>
      make(
        'unknown charsets in the text, the subject and the file name',
        mixed(
          id,
          [
            text(b, 'd\u00e1ta', 'x-unknown-charset'),
            pdfPart(b, pdf, name).replace(
              `filename="${name}"`,
              `filename="=?x-bogus?B?${Buffer.from(name).toString('base64')}?="`,
            ),
          ],
          b,
          {
            extra: ['Subject: =?utf-7?B?K0FPRS0=?= =?iso-8859-99?Q?=E1=E9?='],
            omit: ['Subject'],
          },
        ),
      ),
    () =>
      make(
        'invalid UTF-8 bytes in the headers',
        Buffer.concat([
          Buffer.from(`Subject: `),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
          Buffer.from(CRLF),
          Buffer.from(mixed(id, [text(b), pdfPart(b, pdf, name)], b, { omit: ['Subject'] })),
        ]),
      ),
    () =>
      make(
        'a 1 MB subject line',
        mixed(id, [text(b), pdfPart(b, pdf, name)], b, {
          omit: ['Subject'],
          extra: [`Subject: ${'x'.repeat(1024 * 1024)}`],
        }),
      ),
    () => {
      const parts = [text(b)];
      for (let i = 0; i < 2000; i++)
        parts.push(
          [
            `--${b}`,
            `Content-Type: text/plain; name="n${i}.txt"`,
            `Content-Disposition: attachment; filename="n${i}.txt"`,
            '',
            `note ${i}`,
          ].join(CRLF),
        );
      parts.push(pdfPart(b, pdf, name));
      return make('2 000 parts and one invoice', mixed(id, parts));
    },
    () =>
      make(
        'an unknown transfer encoding',
        mixed(id, [
          text(b),
          pdfPart(b, pdf, name).replace('Content-Transfer-Encoding: base64', 'Content-Transfer-Encoding: x-hostile'),
        ]),
      ),
    () =>
      make(
        'an RFC 2231 file name with ../ and an encoded NUL',
        mixed(id, [
          text(b),
          pdfPart(b, pdf, name).replace(`filename="${name}"`, `filename*=utf-8''..%2F..%2Fhostile-escape-${id}%00.pdf`),
        ]),
      ),
    () =>
      make(
        'multipart without a boundary parameter',
        mixed(id, [text(b), pdfPart(b, pdf, name)]).replace(`multipart/mixed; boundary="${b}"`, 'multipart/mixed'),
      ),
    () =>
      make(
        'bare LF line ends and stray CRs',
        mixed(id, [text(b, 'a\rb\rc'), pdfPart(b, pdf, name)]).replaceAll(CRLF, '\n'),
      ),
    () => {
      const inner = mixed(`${id}-inner`, [text(`b-${id}-inner`), pdfPart(`b-${id}-inner`, pdf, name)]);
      return make(
        'the invoice inside an attached message/rfc822',
        mixed(id, [
          text(b),
          [
            `--${b}`,
            'Content-Type: message/rfc822',
            'Content-Disposition: attachment; filename="forwarded.eml"',
            '',
            inner,
          ].join(CRLF),
        ]),
      );
    },
    () =>
      make(
        'NUL bytes in the headers',
        mixed(id, [text(b), pdfPart(b, pdf, name)], b, {
          extra: ['X-Nul: a\u0000b', 'Subject: x\u0000y'],
          omit: ['Subject'],
        }),
      ),
    () => {
      const whole = Buffer.from(mixed(id, [text(b), pdfPart(b, pdf, name)]));
      return make(
        'cut off inside the attachment',
        whole.subarray(0, random.int(Math.floor(whole.length / 3), whole.length - 10)),
      );
    },
    () =>
      make(
        'quoted-printable with broken soft line breaks',
        mixed(id, [
          text(b),
          [
            `--${b}`,
            `Content-Type: application/pdf; name="${name}"`,
            `Content-Disposition: attachment; filename="${name}"`,
            'Content-Transfer-Encoding: quoted-printable',
            '',
            `=\r\n=Z1=4=\r\n${pdf
              .toString('latin1')
              .slice(0, 200)
              .replace(/[^\x20-\x7e]/g, '=FF')}=`,
          ].join(CRLF),
        ]),
      ),
    () =>
      make(
        'a raw binary PDF without a transfer encoding',
        Buffer.concat([
          Buffer.from(mixed(id, [text(b)]).replace(`--${b}--\r\n`, '')),
          Buffer.from(
            [
              `--${b}`,
              `Content-Type: application/pdf; name="${name}"`,
              `Content-Disposition: attachment; filename="${name}"`,
              '',
              '',
            ].join(CRLF),
          ),
          pdf,
          Buffer.from(`${CRLF}--${b}--${CRLF}`),
        ]),
      ),
    () =>
      make(
        'a header without a colon and a folded header running forever',
        mixed(id, [text(b), pdfPart(b, pdf, name)], b, {
          extra: ['This is not a header', `X-Folded: a${`${CRLF} b`.repeat(20000)}`],
        }),
      ),
  ];
}
