import { backupDiskFull } from './backupDiskFull.ts';
import { crashLoop } from './crashLoop.ts';
import { databaseRestart } from './databaseRestart.ts';
import { dovecotRestart } from './dovecotRestart.ts';
import { gatewayStorm } from './gatewayStorm.ts';
import type { Scenario } from './harness.ts';
import { sigkills } from './sigkills.ts';
import { smtpOutage } from './smtpOutage.ts';

/** The scenarios in the order the runner takes them (docs/reliability.md). */
export const scenarios: Scenario[] = [
  sigkills,
  gatewayStorm,
  databaseRestart,
  dovecotRestart,
  crashLoop,
  smtpOutage,
  backupDiskFull,
];
