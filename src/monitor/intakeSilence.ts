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
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
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
