import { z } from 'zod';

/**
 * monitor and alerts: what the monitor samples and when a condition fires, where alert mail
 * goes, and when the reports are due. Beside schema.ts because the thresholds make it long.
 * Defaults live in config/default.yaml.
 */
const positiveMillis = z.number().int().positive();
const millis = z.number().int().nonnegative();

/** An IANA time zone the runtime knows (Europe/Bratislava). */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Bratislava');

/** HH:MM on a 24-hour clock. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM such as 18:00');

/**
 * One threshold: the value is compared with `critical` and `warning` (whichever are set; null
 * = that severity is off); the condition fires after holding for `forMs` and clears only when
 * the value has fallen `hysteresis` below the threshold it crossed.
 */
export const thresholdSchema = z.strictObject({
  warning: z.number().nullable(),
  critical: z.number().nullable(),
  forMs: millis,
  hysteresis: z.number().nonnegative(),
});
export type Threshold = z.infer<typeof thresholdSchema>;

/** The measurements that have thresholds; the names are the conditions' names in alerts and health. */
export const THRESHOLD_NAMES = [
  'cpu',
  'memory',
  'disk',
  'databaseRoundTripMs',
  'eventLoopDelayMs',
  'rssMb',
  'intakeStaleMinutes',
  'reviewWaitingHours',
  'deadLetters',
  'nexBreakerOpenMinutes',
  'backupAgeHours',
  'drillAgeDays',
  'restartsLastHour',
  'escalationsLastHour',
  'unreadableLastHour',
] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];

export const monitorConfigSchema = z.strictObject({
  enabled: z.boolean(),
  /** How often to sample; systeminformation spawns PowerShell on Windows, so not below a minute there. */
  intervalMs: positiveMillis,
  /** Each systeminformation call and each statfs is given up after this long. */
  sampleTimeoutMs: positiveMillis,
  /** Folders whose file system's free space is watched, besides data, backups, logs and the drop folder. */
  extraFolders: z.array(z.string().min(1)),
  /** Where the status for tools that only read files is written each cycle. */
  statusFile: z.string().min(1),
  thresholds: z.strictObject(
    Object.fromEntries(THRESHOLD_NAMES.map((name) => [name, thresholdSchema])) as Record<
      ThresholdName,
      typeof thresholdSchema
    >,
  ),
  /** Intake silence: no invoice received by this local time on a working day fires a warning. */
  intakeSilence: z.strictObject({
    enabled: z.boolean(),
    by: clockTime,
  }),
});

const smtpSchema = z.strictObject({
  /** Empty: alerts are not mailed (the alerter still records them; health says "not configured"). */
  host: z.string(),
  /** 0 = 465 when secure, else 587. */
  port: z.number().int().min(0).max(65535),
  /** true: TLS from the first byte (465); false: STARTTLS when the server offers it (587), required unless on loopback. */
  secure: z.boolean(),
  /** A PEM file with the CA (or self-signed certificate) to trust besides the system ones. */
  caFile: z.string(),
  user: z.string(),
  password: z.string(),
  /** OAuth2 (XOAUTH2) instead of a password, e.g. Microsoft 365 where SMTP basic auth is off. */
  oauth2: z
    .strictObject({
      clientId: z.string(),
      clientSecret: z.string(),
      refreshToken: z.string(),
      accessUrl: z.string(),
      /** A ready access token (from an external helper); used as is when set. */
      accessToken: z.string(),
    })
    .nullable(),
  connectionTimeoutMs: positiveMillis,
  greetingTimeoutMs: positiveMillis,
  socketTimeoutMs: positiveMillis,
  /** Pooled connections kept open to the server. */
  maxConnections: z.number().int().min(1).max(10),
});

const email = z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address');

export const alertsConfigSchema = z.strictObject({
  enabled: z.boolean(),
  smtp: smtpSchema,
  from: z.union([z.literal(''), email]),
  to: z.array(email),
  locale: z.enum(['sk', 'en']),
  timeZone,
  /** Alerts firing within this window go out as one mail. */
  groupWaitMs: millis,
  /** How often the alerter looks for mail to send. */
  evaluateMs: positiveMillis,
  repeat: z.strictObject({ criticalMs: positiveMillis, warningMs: positiveMillis }),
  /** A failed send is tried again after minMs, doubling up to maxMs. */
  retry: z.strictObject({ minMs: positiveMillis, maxMs: positiveMillis }),
  reports: z.strictObject({
    daily: z.strictObject({ enabled: z.boolean(), at: clockTime }),
    weekly: z.strictObject({ enabled: z.boolean(), at: clockTime }),
    /** ISO weekdays (1 = Monday) that count as working days. */
    workingDays: z.array(z.number().int().min(1).max(7)).min(1),
  }),
});
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type MonitorConfig = z.infer<typeof monitorConfigSchema>;
