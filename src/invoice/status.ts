/** The invoice lifecycle's states (docs/architecture.md, “The invoice lifecycle”), as stored in invoices.status. */
export const INVOICE_STATUSES = [
  'received',
  'extracting',
  'extracted',
  'validating',
  'needs_review',
  'validated',
  'approved',
  'posting',
  'retry',
  'posted',
  'dead_letter',
  'unreadable',
  'duplicate',
  'rejected',
  'superseded',
] as const;

export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** States the pipeline drives forward by itself; an invoice left in one of them is resumed at start. */
export const ACTIVE_STATUSES: readonly InvoiceStatus[] = ['received', 'extracting', 'extracted', 'validating'];

/** States that wait for a person (or, later, the NEX writer). */
export const WAITING_STATUSES: readonly InvoiceStatus[] = ['needs_review', 'validated', 'approved', 'posting', 'retry'];

/** End states: nothing more happens without an operator's replay. */
export const TERMINAL_STATUSES: readonly InvoiceStatus[] = [
  'posted',
  'dead_letter',
  'unreadable',
  'duplicate',
  'rejected',
  'superseded',
];
