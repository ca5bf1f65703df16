/**
 * Extractors promise null for what is not on the document, but a template that captured an
 * empty group yields "" or spaces; both mean nothing was found, never a value to check.
 */
export function hasText(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
