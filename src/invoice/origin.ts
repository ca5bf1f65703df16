/** Where an invoice came from, as the invoices row has it: for log lines, metrics and people looking for the mail. */
export interface InvoiceOrigin {
  channel: string;
  filename: string;
  sender: string | null;
  subject: string | null;
  message_id: string | null;
}
