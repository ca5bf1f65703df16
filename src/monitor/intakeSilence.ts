import { zonedDate, zonedParts } from './zonedParts.ts';

/**
 * Intake silence: on a working day, no invoice has arrived by the configured local time. The
 * wall clock is read in the configured zone, so the check moves with the DST changes.
 */
export interface LocalTime {
  date: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  minutes: number;
}

export function localTimeIn(ms: number, timeZone: string): LocalTime {
  const parts = zonedParts(ms, timeZone);
  return { date: zonedDate(parts), weekday: parts.weekday, minutes: parts.hour * 60 + parts.minute };
}

export function intakeSilent(input: {
  now: number;
  lastInvoiceAt: number | null;
  timeZone: string;
  workingDays: number[];
  by: string;
}): boolean {
  const today = localTimeIn(input.now, input.timeZone);
  if (!input.workingDays.includes(today.weekday)) return false;
  const [hours, minutes] = input.by.split(':').map(Number);
  if (today.minutes < hours! * 60 + minutes!) return false;
  return input.lastInvoiceAt === null || localTimeIn(input.lastInvoiceAt, input.timeZone).date !== today.date;
}
