import { z } from 'zod';
import { alertsConfigSchema, monitorConfigSchema } from './alertsSchema.ts';
import { imapConfigSchema } from './imapSchema.ts';

/**
 * The shape of a valid configuration. Defaults are not here: they live in
 * config/default.yaml, the one file an operator reads to learn every setting.
 * Objects are strict so that a misspelt key is reported instead of silently ignored.
 */
const millis = z.number().int().nonnegative();
const positiveMillis = z.number().int().positive();
const port = z.number().int().min(0).max(65535);
/** A money amount: a decimal string ("1000.00") or a whole number; kept as a string. */
const money = z
  .union([
    z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 1000 or 1000.00'),
    z.number().int().nonnegative(),
  ])
  .transform(String);

const backoff = z.strictObject({
  minMs: positiveMillis,
  maxMs: positiveMillis,
  resetAfterMs: millis,
  jitter: z.number().min(0).max(1),
});

export const configSchema = z.strictObject({
  customer: z.strictObject({
    name: z.string(),
    ico: z
      .string()
      .regex(/^\d{8}$/, 'must be 8 digits')
      .nullable(),
    /** Our IČ DPH / EU VAT number ("SK2020123456"): a party printing it is us, never the supplier. */
    vat_id: z
      .string()
      .regex(/^[A-Z]{2}[0-9A-Z]{8,12}$/, 'must be an EU VAT number such as SK2020123456')
      .nullable()
      .default(null),
  }),
  database: z.strictObject({
    url: z
      .string()
      .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be empty (embedded) or a postgres:// URL'),
    embedded: z.strictObject({
      dir: z.string().min(1),
      port: port,
      user: z.string().min(1),
      password: z.string(), // '' = generated at the first start, kept in <dir>.password (0600)
      database: z.string().min(1),
    }),
    poolSize: z.number().int().min(1).max(100),
    connectTimeoutMs: positiveMillis,
    pingIntervalMs: positiveMillis,
    slowRoundTripMs: positiveMillis,
    reconnect: backoff.omit({ resetAfterMs: true }),
    /** Back up (and verify) before applying new migrations; refuse to migrate when that fails. */
    backupBeforeMigrate: z.boolean(),
  }),
  http: z.strictObject({
    enabled: z.boolean(),
    host: z.string().min(1),
    port: port,
    token: z.string(),
    tokenFile: z.string().min(1),
    openHealth: z.boolean(),
    openMetrics: z.boolean(),
    /**
     * HTTPS instead of HTTP when cert and key name PEM files (docs/security.md). Optional in
     * the type only so that code building settings by hand may leave it out; config/default.yaml
     * always sets it.
     */
    tls: z
      .strictObject({
        cert: z.string(),
        key: z.string(),
        passphrase: z.string(), // of an encrypted key: ${ENV:HTTP_TLS_PASSPHRASE}
      })
      .optional(),
    /** Uploads (POST /api/invoices, POST /invoice) per caller and per client address; optional as tls. */
    uploadRateLimit: z.strictObject({ max: z.number().int().min(1), windowMs: positiveMillis }).optional(),
  }),
  /** The operator console's sign-in (issue 12). */
  console: z.strictObject({
    idleTimeoutMinutes: z.number().int().min(1),
    signInPerMinute: z.number().int().min(1),
    lockoutAfterFailures: z.number().int().min(1),
    lockoutMinutes: z.number().int().min(1),
  }),
  logging: z.strictObject({
    dir: z.string().min(1),
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
    maxSizeMb: z.number().positive(),
    files: z.number().int().min(1),
    retentionDays: z.number().int().min(1),
    console: z.enum(['auto', 'pretty', 'json', 'off']),
  }),
  intake: z.strictObject({
    dropFolder: z.strictObject({
      enabled: z.boolean(),
      path: z.string().min(1),
      pollMs: positiveMillis,
      /** A file counts as complete when its size and mtime have not changed for this long. */
      stableMs: millis,
      /** A PDF without its %%EOF is looked at again for this long before it is stored as it is. */
      incompleteRetryMs: millis,
      maxFileMb: z.number().positive(),
    }),
    http: z.strictObject({ maxUploadMb: z.number().positive() }),
    imap: imapConfigSchema,
  }),
  extraction: z.strictObject({
    /** Worker threads; 0 = one per CPU core. */
    workers: z.number().int().min(0).max(64),
    timeoutMs: positiveMillis,
    memoryMb: z.number().int().min(64),
    /** A worker thread ends after this long without a document and starts again with the next one; 0 = never ends. */
    idleWorkerMs: z.number().int().min(0),
    recycleAfterDocuments: z.number().int().min(0),
    /** Folders of user templates, read in addition to the shipped ones. */
    templateDirs: z.array(z.string().min(1)),
  }),
  pipeline: z.strictObject({
    concurrency: z.number().int().min(1).max(64),
    leaseMs: positiveMillis,
    pollMs: positiveMillis,
    maxAttempts: z.number().int().min(1),
    retryMinMs: positiveMillis,
    retryMaxMs: positiveMillis,
  }),
  backup: z.strictObject({
    enabled: z.boolean(),
    dir: z.string().min(1),
    /** Folder holding pg_dump and pg_restore; empty: PATH (and on Windows the PostgreSQL install folders). */
    pgBinDir: z.string(),
    /** Cron expressions (node-schedule); empty string = off. */
    schedule: z.strictObject({ daily: z.string(), weekly: z.string(), monthly: z.string() }),
    retention: z.strictObject({
      daily: z.number().int().min(1),
      weekly: z.number().int().min(0),
      monthly: z.number().int().min(0),
    }),
    drill: z.strictObject({ schedule: z.string() }),
    /** Health warns when the newest successful backup is older than this. */
    warnAfterHours: z.number().positive(),
  }),
  nex: z.strictObject({
    /** outbox: ISDOC files for NEX's own import; api: the NEX gateway (shared/domain/nex-gateway.md). */
    mode: z.enum(['outbox', 'api']),
    outboxDir: z.string().min(1),
    url: z.string().refine((v) => v === '' || /^https?:\/\//.test(v), 'must be empty or an http(s):// URL'),
    apiKey: z.string(),
    timeoutMs: positiveMillis,
    concurrency: z.number().int().min(1).max(16),
    pollMs: positiveMillis,
    leaseMs: positiveMillis,
    matching: z.strictObject({ minConfidence: z.number().min(0).max(1) }),
    breaker: z.strictObject({
      errorThresholdPercentage: z.number().min(1).max(100),
      volumeThreshold: z.number().int().min(1),
      rollingCountMs: positiveMillis,
      resetTimeoutMs: positiveMillis,
    }),
    retry: z.strictObject({
      maxAttempts: z.number().int().min(1),
      maxRetryTimeMs: positiveMillis,
      minMs: positiveMillis,
      maxMs: positiveMillis,
    }),
  }),
  approval: z.strictObject({
    /** Gross amounts (in the invoice's currency) as decimal strings or whole numbers; never floats. */
    autoApproveBelow: money,
    doubleApprovalAbove: money,
  }),
  monitor: monitorConfigSchema,
  alerts: alertsConfigSchema,
  heartbeat: z.strictObject({ intervalMs: positiveMillis }),
  shutdown: z.strictObject({ timeoutMs: positiveMillis }),
  supervisor: z.strictObject({
    intensity: z.number().int().min(0),
    periodMs: positiveMillis,
    startTimeoutMs: positiveMillis,
    stopTimeoutMs: positiveMillis,
    backoff,
  }),
  /**
   * Several daemons on one configured database (docs/operations.md, Scale-out): the mailbox,
   * the backups, alert mail with the reports and a shared drop folder run on the one holding
   * their advisory lock. Ignored with the embedded database: it serves one daemon.
   */
  scaleOut: z.strictObject({
    enabled: z.boolean(),
    /** How often a standing-by daemon tries to take a free singleton; also how often the holder checks its lock. */
    retryMs: positiveMillis,
    /** shared: the daemons read one folder (one of them scans it); perInstance: each its own local folder. */
    dropFolder: z.enum(['shared', 'perInstance']),
  }),
  debug: z.strictObject({ faultInjection: z.boolean() }),
});

export type Config = z.infer<typeof configSchema>;

/** Keys whose values are never printed or logged. Matched against the dotted key. */
export const secretKeyPattern = /(password|token|apikey|secret|passphrase)$/i;
