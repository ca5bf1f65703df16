import { localTimeIn } from '../monitor/intakeSilence.ts';
import { zonedClock, zonedParts } from '../monitor/zonedParts.ts';

/**
 * When the reports are due: a wall-clock time in an IANA zone (18:00 in Europe/Bratislava),
 * turned into an instant per day, so the report stays at 18:00 local across the DST changes
 * (16:00 UTC in summer, 17:00 UTC in winter) and a day of 23 or 25 hours is still one day.
 */
export type ReportKind = 'daily' | 'weekly';

export interface ReportTimes {
  timeZone: string;
  daily: { at: string };
  weekly: { at: string };
  /** ISO weekdays of the daily report; the weekly one is on Mondays. */
  workingDays: number[];
}

/** The zone's offset from UTC at an instant, in ms (Bratislava: +1 h in winter, +2 h in summer). */
function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local date and time in the zone. */
export function zonedInstant(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!, hh!, mm!);
  const first = wall - offsetAt(wall, timeZone);
  // Near a change the offset at the guess may differ from the offset at the answer.
  return wall - offsetAt(first, timeZone);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

function isDueDay(kind: ReportKind, weekday: number, times: ReportTimes): boolean {
  return kind === 'weekly' ? weekday === 1 : times.workingDays.includes(weekday);
}

/** The first due instant strictly after `after`. */
export function nextDue(kind: ReportKind, after: number, times: ReportTimes): number {
  const start = localTimeIn(after, times.timeZone).date;
  for (let i = 0; i < 15; i++) {
    const date = addDays(start, i);
    const due = zonedInstant(date, times[kind].at, times.timeZone);
    if (due > after && isDueDay(kind, localTimeIn(due, times.timeZone).weekday, times)) return due;
  }
  throw new Error(`no ${kind} report day within two weeks: check alerts.reports.workingDays`);
}

/** The latest due instant at or before `now` (the one a late start owes), starting from a stored due. */
export function latestDue(kind: ReportKind, storedDue: number, now: number, times: ReportTimes): number {
  let due = storedDue;
  for (let next = nextDue(kind, due, times); next <= now; next = nextDue(kind, next, times)) due = next;
  return due;
}

/** What a report covers: the daily one its local day up to the due time, the weekly one the seven days before. */
export function reportPeriod(kind: ReportKind, end: number, times: ReportTimes): { from: number; to: number } {
  const local = localTimeIn(end, times.timeZone);
  if (kind === 'daily') return { from: zonedInstant(local.date, '00:00', times.timeZone), to: end };
  const clock = zonedClock(zonedParts(end, times.timeZone));
  return { from: zonedInstant(addDays(local.date, -7), clock, times.timeZone), to: end };
}
