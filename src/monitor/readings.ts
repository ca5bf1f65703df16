import type { Reading, ThresholdRule } from '../../machines/monitorConditions.ts';
import type { MonitorConfig, ThresholdName } from '../config/alertsSchema.ts';
import type { PipelineSignals } from './pipelineSignals.ts';
import type { SystemSample } from './systemSamples.ts';

/** Everything one monitor cycle measured, before thresholds. Null: not measured this time. */
export interface Measurements {
  system: SystemSample;
  database: { ok: boolean; roundTripMs: number | null; error: string | null };
  eventLoopDelayMs: number;
  rssMb: number;
  pipeline: PipelineSignals | null;
  /** Minutes since each intake channel's last success (the mailbox's last pass, the drop folder's last clean scan). */
  intakeStaleMinutes: Record<string, number>;
  nexBreakerOpenMinutes: number | null;
  backupAgeHours: number | null;
  /** Days since the last restore drill ran (or since start, before the first); null when drills are off. */
  drillAgeDays: number | null;
  restartsLastHour: number;
  escalationsLastHour: number;
  intakeSilent: boolean | null;
  now: number;
}

/** A yes/no condition: fires at once when true, critical or warning. */
const flag = (severity: 'critical' | 'warning'): ThresholdRule => ({
  warning: severity === 'warning' ? 0.5 : null,
  critical: severity === 'critical' ? 0.5 : null,
  forMs: 0,
  hysteresis: 0,
});

type Locale = 'sk' | 'en';
const say = (locale: Locale, sk: string, en: string) => (locale === 'sk' ? sk : en);

/** The readings of one cycle: each measurement with its threshold and an operator sentence. */
export function toReadings(m: Measurements, settings: MonitorConfig, locale: Locale): Reading[] {
  const t = (name: ThresholdName) => settings.thresholds[name];
  const readings: Reading[] = [];
  const add = (
    condition: string,
    component: string,
    value: number | null,
    unit: string,
    rule: ThresholdRule,
    summary: string,
  ) => readings.push({ condition, component, value, unit, rule, summary });
  const v = (value: number | null, digits = 0) => (value === null ? '?' : value.toFixed(digits));

  add(
    'cpu',
    'host',
    m.system.cpuPercent,
    '%',
    t('cpu'),
    say(locale, `Zaťaženie CPU ${v(m.system.cpuPercent)} %`, `CPU load ${v(m.system.cpuPercent)} %`),
  );
  add(
    'memory',
    'host',
    m.system.memoryPercent,
    '%',
    t('memory'),
    say(locale, `Použitá pamäť ${v(m.system.memoryPercent)} %`, `Memory used ${v(m.system.memoryPercent)} %`),
  );
  for (const disk of m.system.disks) {
    const free = disk.freeBytes === null ? '?' : `${(disk.freeBytes / 2 ** 30).toFixed(1)} GB`;
    add(
      'disk',
      disk.folder,
      disk.usedPercent,
      '%',
      t('disk'),
      say(
        locale,
        `Disk s ${disk.folder} je zaplnený na ${v(disk.usedPercent)} % (voľné ${free})`,
        `The disk of ${disk.folder} is ${v(disk.usedPercent)} % full (${free} free)`,
      ),
    );
  }
  add(
    'database_down',
    'postgres',
    m.database.ok ? 0 : 1,
    'bool',
    flag('critical'),
    say(
      locale,
      `Databáza je nedostupná: ${m.database.error ?? ''}`,
      `The database is unavailable: ${m.database.error ?? ''}`,
    ),
  );
  add(
    'database_round_trip',
    'postgres',
    m.database.ok ? m.database.roundTripMs : null,
    'ms',
    t('databaseRoundTripMs'),
    say(
      locale,
      `Odozva databázy ${v(m.database.roundTripMs)} ms`,
      `Database round trip ${v(m.database.roundTripMs)} ms`,
    ),
  );
  add(
    'event_loop_delay',
    'process',
    m.eventLoopDelayMs,
    'ms',
    t('eventLoopDelayMs'),
    say(
      locale,
      `Oneskorenie slučky udalostí ${v(m.eventLoopDelayMs)} ms`,
      `Event-loop delay ${v(m.eventLoopDelayMs)} ms`,
    ),
  );
  add(
    'rss',
    'process',
    m.rssMb,
    'MB',
    t('rssMb'),
    say(locale, `Pamäť procesu ${v(m.rssMb)} MB`, `Process memory ${v(m.rssMb)} MB`),
  );
  for (const [channel, minutes] of Object.entries(m.intakeStaleMinutes))
    add(
      'intake_stale',
      channel,
      minutes,
      'min',
      t('intakeStaleMinutes'),
      say(
        locale,
        `Príjem ${channel}: posledný úspešný priechod pred ${v(minutes)} min`,
        `Intake ${channel}: last success ${v(minutes)} min ago`,
      ),
    );
  const p = m.pipeline;
  const reviewHours = p?.oldestReviewAt != null ? (m.now - p.oldestReviewAt) / 3_600_000 : p ? 0 : null;
  add(
    'review_waiting',
    'approval',
    reviewHours,
    'h',
    t('reviewWaitingHours'),
    say(
      locale,
      `Najstaršia faktúra čaká na kontrolu ${v(reviewHours)} h (čaká ${p?.waitingForPerson ?? '?'})`,
      `The oldest invoice has waited for review ${v(reviewHours)} h (${p?.waitingForPerson ?? '?'} waiting)`,
    ),
  );
  add(
    'dead_letters',
    'nex',
    p ? p.deadLetters : null,
    'count',
    t('deadLetters'),
    say(
      locale,
      `Neodoslané faktúry (dead letters): ${p?.deadLetters ?? '?'}`,
      `Dead letters: ${p?.deadLetters ?? '?'}`,
    ),
  );
  add(
    'unreadable',
    'extraction',
    p ? p.unreadableLastHour : null,
    'count',
    t('unreadableLastHour'),
    say(
      locale,
      `Nečitateľné doklady za poslednú hodinu: ${p?.unreadableLastHour ?? '?'}`,
      `Unreadable documents in the last hour: ${p?.unreadableLastHour ?? '?'}`,
    ),
  );
  if (m.nexBreakerOpenMinutes !== null)
    add(
      'nex_breaker_open',
      'nex',
      m.nexBreakerOpenMinutes,
      'min',
      t('nexBreakerOpenMinutes'),
      say(
        locale,
        `Spojenie s NEX je prerušené ${v(m.nexBreakerOpenMinutes)} min`,
        `The NEX breaker has been open ${v(m.nexBreakerOpenMinutes)} min`,
      ),
    );
  if (m.backupAgeHours !== null)
    add(
      'backup_age',
      'backups',
      m.backupAgeHours,
      'h',
      t('backupAgeHours'),
      say(
        locale,
        `Posledná úspešná záloha je stará ${v(m.backupAgeHours)} h`,
        `The newest successful backup is ${v(m.backupAgeHours)} h old`,
      ),
    );
  if (m.drillAgeDays !== null)
    add(
      'drill_age',
      'backups',
      m.drillAgeDays,
      'd',
      t('drillAgeDays'),
      say(
        locale,
        `Posledná skúška obnovy zálohy prebehla pred ${v(m.drillAgeDays)} dňami`,
        `The last restore drill ran ${v(m.drillAgeDays)} days ago`,
      ),
    );
  add(
    'restarts',
    'supervisor',
    m.restartsLastHour,
    'count/h',
    t('restartsLastHour'),
    say(
      locale,
      `Reštarty aktérov za hodinu: ${m.restartsLastHour}`,
      `Actor restarts in the last hour: ${m.restartsLastHour}`,
    ),
  );
  add(
    'escalations',
    'supervisor',
    m.escalationsLastHour,
    'count/h',
    t('escalationsLastHour'),
    say(
      locale,
      `Supervízor to vzdal (eskalácie za hodinu): ${m.escalationsLastHour}`,
      `Supervisor escalations in the last hour: ${m.escalationsLastHour}`,
    ),
  );
  if (m.intakeSilent !== null)
    add(
      'intake_silence',
      'intake',
      m.intakeSilent ? 1 : 0,
      'bool',
      flag('warning'),
      say(
        locale,
        `Dnes zatiaľ neprišla žiadna faktúra (do ${settings.intakeSilence.by})`,
        `No invoice has arrived today (by ${settings.intakeSilence.by})`,
      ),
    );
  return readings;
}
