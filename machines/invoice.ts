import { assign, fromPromise, setup } from 'xstate';
import type { InvoiceStatus } from '../src/invoice/status.ts';

/**
 * One invoice's way through the pipeline (DESIGN.md §2), from its stored status on.
 *
 *   received → extracting → extracted → validating → validated | needs_review
 *                  ├→ unreadable (quarantine)
 *                  └→ duplicate (same supplier + number as an earlier invoice)
 *
 * Each step is an actor that does its work and commits the transition (status + event row)
 * before it resolves, so the database, not this machine, is the truth: after a crash the
 * machine is started again from the stored status and the interrupted step runs again (every
 * step is idempotent). validated and needs_review wait for people (approval, review).
 */
type StepInput = { invoiceId: string };

export const invoiceMachine = setup({
  types: {
    input: {} as { invoiceId: string; status: InvoiceStatus },
    context: {} as { invoiceId: string; status: InvoiceStatus },
    output: {} as { invoiceId: string; status: string },
  },
  actors: {
    startExtraction: fromPromise<void, StepInput>(async () => {}),
    extract: fromPromise<'extracted' | 'unreadable' | 'duplicate', StepInput>(async () => 'extracted'),
    startValidation: fromPromise<void, StepInput>(async () => {}),
    validate: fromPromise<'validated' | 'needs_review', StepInput>(async () => 'needs_review'),
  },
  actions: {
    /** Final states record where the invoice ended, for the machine's output. */
    settle: assign({ status: (_args, status: InvoiceStatus) => status }),
  },
  guards: {
    storedAs: ({ context }, status: InvoiceStatus) => context.status === status,
    outcomeIs: ({ event }, outcome: string) => (event as unknown as { output: string }).output === outcome,
  },
}).createMachine({
  id: 'invoice',
  context: ({ input }) => input,
  initial: 'resuming',
  states: {
    resuming: {
      always: [
        { guard: { type: 'storedAs', params: 'received' }, target: 'received' },
        { guard: { type: 'storedAs', params: 'extracting' }, target: 'extracting' },
        { guard: { type: 'storedAs', params: 'extracted' }, target: 'extracted' },
        { guard: { type: 'storedAs', params: 'validating' }, target: 'validating' },
        { target: 'settled' },
      ],
    },
    received: {
      invoke: { src: 'startExtraction', input: ({ context }) => context, onDone: 'extracting' },
    },
    extracting: {
      invoke: {
        src: 'extract',
        input: ({ context }) => context,
        onDone: [
          { guard: { type: 'outcomeIs', params: 'extracted' }, target: 'extracted' },
          { guard: { type: 'outcomeIs', params: 'duplicate' }, target: 'duplicate' },
          { target: 'unreadable' },
        ],
      },
    },
    extracted: {
      invoke: { src: 'startValidation', input: ({ context }) => context, onDone: 'validating' },
    },
    validating: {
      invoke: {
        src: 'validate',
        input: ({ context }) => context,
        onDone: [
          { guard: { type: 'outcomeIs', params: 'validated' }, target: 'validated' },
          { target: 'needs_review' },
        ],
      },
    },
    validated: { type: 'final', entry: { type: 'settle', params: 'validated' } },
    needs_review: { type: 'final', entry: { type: 'settle', params: 'needs_review' } },
    unreadable: { type: 'final', entry: { type: 'settle', params: 'unreadable' } },
    duplicate: { type: 'final', entry: { type: 'settle', params: 'duplicate' } },
    /** Resumed in a status this machine does not drive (it moved on elsewhere). */
    settled: { type: 'final' },
  },
  output: ({ context }) => ({ invoiceId: context.invoiceId, status: context.status }),
});
