/**
 * Every write of the invoice lifecycle, by one module per reason to change; each function is one
 * transaction, and every status change is committed together with its row in invoice_events.
 * This module only gathers them for the modules that import from the store.
 */
export { inTransaction } from './transaction.ts';
export * from './transitions.ts';
export * from './receiveDocument.ts';
export * from './leases.ts';
export * from './extractionResults.ts';
