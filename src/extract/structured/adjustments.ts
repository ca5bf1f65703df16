import { lineAdjustmentNote } from './documentNotes.ts';

/** An allowance (discount) or charge, at document or line level, as UBL and CII state it. */
export interface Adjustment {
  /** true for a charge (adds), false for an allowance (discount). */
  charge: boolean;
  amount: string | null;
  reason: string | null;
  percent: string | null;
  base: string | null;
  vatRate: string | null;
}

/**
 * A line's discount percentage (BT-138) when the line has exactly one allowance and it is a
 * percentage; every other allowance or charge becomes a note, so nothing that changed the
 * line's net amount goes unseen.
 */
export function lineDiscountPercent(adjustments: Adjustment[], lineNumber: number, notes: string[]): string | null {
  const [only] = adjustments;
  if (adjustments.length === 1 && only !== undefined && !only.charge && only.percent !== null) return only.percent;
  for (const adjustment of adjustments) notes.push(lineAdjustmentNote(lineNumber, adjustment));
  return null;
}
