import { assign, fromPromise, setup } from 'xstate';
import type { InvoiceStatus } from '../src/invoice/status.ts';

/**
 * One invoice's way through the pipeline (docs/architecture.md, “The invoice lifecycle”), from its stored status on.
 *
 *   received → extracting → extracted → validating → validated | approved | needs_review
 *                  ├→ unreadable (quarantine)
 *                  └→ duplicate (same supplier + number as an earlier invoice)
 *
 * Each step is an actor that does its work and commits the transition (status + event rows)
 * before it resolves, so the database, not this machine, is the truth: after a crash the
 * machine is started again from the stored status and the interrupted step runs again (every
 * step is idempotent). validated and needs_review wait for people (approval, review); an
 * invoice the approval rules approve goes on to the NEX writer.
 *
 * Commits are what an invoice costs, so steps share them where nothing can happen in between:
 * the claim usually commits received → extracting itself (the `received` step is for an
 * invoice handed over as received), and the validate step, which runs in memory, commits
 * `validating` and its outcome together. The final transition gives the invoice's lease back.
 */
type StepInput = { invoiceId: string };
/** The validate step starts from extracted, or from validating when a crash interrupted it. */
export type ValidateInput = { invoiceId: string; from: InvoiceStatus; extracted?: unknown; origin?: unknown };
export type ValidateOutcome = 'validated' | 'approved' | 'needs_review';
/** `origin` (where the document came from) rides along to validation, for its log line and counters. */
export type ExtractOutput = {
  outcome: 'extracted' | 'unreadable' | 'duplicate';
  extracted?: unknown;
  origin?: unknown;
};
/** Where a lifecycle ends; the transition into each gave the invoice's lease back. */
export const LIFECYCLE_OUTCOMES: readonly InvoiceStatus[] = [
  'validated',
  'approved',
  'needs_review',
  'unreadable',
  'duplicate',
];

/** The extraction step answered this outcome. */
const extractedAs = (expected: ExtractOutput['outcome']) =>
  ({
    type: 'answered',
    params: ({ event }: { event: { output: ExtractOutput } }) => ({ answer: event.output.outcome, expected }),
  }) as const;
/** The validation step moved the invoice to this status. */
const validatedAs = (expected: ValidateOutcome) =>
  ({
    type: 'answered',
    params: ({ event }: { event: { output: ValidateOutcome } }) => ({ answer: event.output, expected }),
  }) as const;

export const invoiceMachine = setup({
  types: {
    input: {} as { invoiceId: string; status: InvoiceStatus },
    context: {} as { invoiceId: string; status: InvoiceStatus; extracted?: unknown; origin?: unknown },
    output: {} as { invoiceId: string; status: string },
  },
  actors: {
    startExtraction: fromPromise<void, StepInput>(async () => {}),
    /** Resolves with the outcome and, when extracted, the invoice (so validation need not read it back). */
    extract: fromPromise<ExtractOutput, StepInput>(async () => ({ outcome: 'extracted' })),
    validate: fromPromise<ValidateOutcome, ValidateInput>(async () => 'needs_review'),
  },
  actions: {
    /** Final states record where the invoice ended, for the machine's output. */
    settle: assign({ status: (_args, status: InvoiceStatus) => status }),
  },
  guards: {
    storedAs: ({ context }, status: InvoiceStatus) => context.status === status,
    /** What the step answered is what the transition expects (params from the step's done event). */
    answered: (_, step: { answer: string; expected: string }) => step.answer === step.expected,
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
        { guard: { type: 'storedAs', params: 'extracted' }, target: 'validating' },
        { guard: { type: 'storedAs', params: 'validating' }, target: 'validating' },
        { target: 'settled' },
      ],
    },
    received: {
      invoke: {
        src: 'startExtraction',
        input: ({ context }) => context,
        onDone: { target: 'extracting', actions: assign({ status: 'extracting' }) },
      },
    },
    extracting: {
      invoke: {
        src: 'extract',
        input: ({ context }) => context,
        onDone: [
          {
            guard: extractedAs('extracted'),
            target: 'validating',
            actions: assign({
              status: 'extracted',
              extracted: ({ event }) => event.output.extracted,
              origin: ({ event }) => event.output.origin,
            }),
          },
          { guard: extractedAs('duplicate'), target: 'duplicate' },
          { target: 'unreadable' },
        ],
      },
    },
    /** Validation, from extracted (or from validating, resumed): one committed step. */
    validating: {
      invoke: {
        src: 'validate',
        input: ({ context }) => ({
          invoiceId: context.invoiceId,
          from: context.status,
          extracted: context.extracted,
          origin: context.origin,
        }),
        onDone: [
          { guard: validatedAs('validated'), target: 'validated' },
          { guard: validatedAs('approved'), target: 'approved' },
          { target: 'needs_review' },
        ],
      },
    },
    validated: { type: 'final', entry: { type: 'settle', params: 'validated' } },
    needs_review: { type: 'final', entry: { type: 'settle', params: 'needs_review' } },
    /** Approved by the rules (approval.autoApproveBelow): the NEX writer takes it from here. */
    approved: { type: 'final', entry: { type: 'settle', params: 'approved' } },
    unreadable: { type: 'final', entry: { type: 'settle', params: 'unreadable' } },
    duplicate: { type: 'final', entry: { type: 'settle', params: 'duplicate' } },
    /** Resumed in a status this machine does not drive (it moved on elsewhere); its lease is still held. */
    settled: { type: 'final' },
  },
  output: ({ context }) => ({ invoiceId: context.invoiceId, status: context.status }),
});
