/** Small documents for intake tests: structurally valid, distinct by `tag`. */
export function pdfBytes(tag: string, padding = 0): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${tag}\n${'%'.repeat(padding)}\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n`);
}

export function xmlBytes(tag: string): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Invoice><ID>${tag}</ID></Invoice>\n`);
}
