import type pg from 'pg';
import {
  countByStatus,
  countDeadLetters,
  intakePerChannel,
  oldestWaiting,
  receivedPerDay,
  type ChannelIntake,
} from '../db/invoiceStatistics.ts';
import type { DaemonView } from '../http/app.ts';
import { flattenTree, type ActorNode } from '../runtime/actorTree.ts';
import type { HealthCheck, HealthReport } from '../runtime/health.ts';
import { barChart } from './barChart.ts';
import { invoiceTable } from './invoiceTable.ts';
import { healthName, statusName } from './statusNames.ts';
import { html, words, type Lang, type Word } from './text.ts';

/**
 * Prehľad / Overview: what the daemon's health says and why, what waits for people, what came
 * in (per day, per channel), how the NEX writer and the backups are doing, and the dead letters.
 */
export const CHART_DAYS = 14;
const WAITING_SHOWN = 10;

/** The intake actors' ids (the tree in docs/architecture.md) and the channel each stores in invoices.channel. */
const CHANNELS: Array<{ actor: string; channel: string; word: Word }> = [
  { actor: 'mailbox', channel: 'email', word: 'channelMailbox' },
  { actor: 'dropFolder', channel: 'drop_folder', word: 'channelDropFolder' },
  { actor: 'http', channel: 'http', word: 'channelHttp' },
];

export async function overviewPage(pool: pg.Pool, view: DaemonView, lang: Lang): Promise<string> {
  const t = words(lang);
  const health = view.health();
  const actors = actorsById(view.tree());
  const [counts, perDay, waiting, intake, deadLetters] = await Promise.all([
    countByStatus(pool),
    receivedPerDay(pool, CHART_DAYS),
    oldestWaiting(pool, WAITING_SHOWN),
    intakePerChannel(pool),
    countDeadLetters(pool),
  ]);
  return `<h1>${t('overview')}</h1>
${healthBanner(health, lang)}
<div class="split"><section><h2>${t('status')}</h2>
<table><thead><tr><th scope="col">${t('status')}</th><th scope="col">${t('count')}</th></tr></thead><tbody>
${counts.map((c) => `<tr><td><a href="/queue?status=${html(c.status)}">${html(statusName(lang, c.status))}</a></td><td>${c.n}</td></tr>`).join('')}
</tbody></table>
<p><a href="/dead-letters">${t('deadLetters')}</a>: <strong id="dead-letter-count">${deadLetters}</strong></p></section>
<section><h2>${t('receivedPerDay')}</h2>
${barChart(
  t('receivedPerDay'),
  perDay.map((d) => ({ label: d.day, value: d.n })),
)}</section></div>
<h2>${t('waiting')}</h2>
${invoiceTable(lang, waiting)}
<div class="split"><section><h2>${t('intake')}</h2>${intakeTable(intake, actors, lang)}</section>
<section><h2>${t('nexWriter')}</h2>${nexWriter(actors.get('nexWriter'), health, lang)}
<h2>${t('backups')}</h2>${backups(health, lang)}</section></div>`;
}

function healthBanner(health: HealthReport, lang: Lang): string {
  const reasons = Object.entries(health.checks)
    .flatMap(([name, checks]) => checks.map((check) => ({ name, check })))
    .filter(({ check }) => check.status !== 'pass')
    .map(
      ({ name, check }) =>
        `<li>${html(check.componentId ?? name)}: ${html(check.output ?? String(check.observedValue ?? check.status))}</li>`,
    )
    .join('');
  return `<div class="banner ${html(health.status)}" role="status"><strong>${words(lang)('health')}: ${healthName(lang, health.status)}</strong>${reasons ? `<ul>${reasons}</ul>` : ''}</div>`;
}

function actorsById(tree: ActorNode | undefined): Map<string, ActorNode> {
  return new Map(tree ? flattenTree(tree).map((node) => [node.id, node]) : []);
}

function actorState(node: ActorNode | undefined, lang: Lang): string {
  return node ? `${html(node.status)} (${html(node.state)})` : words(lang)('unknown');
}

function intakeTable(intake: ChannelIntake[], actors: Map<string, ActorNode>, lang: Lang): string {
  const t = words(lang);
  const byChannel = new Map(intake.map((row) => [row.channel, row]));
  const rows = CHANNELS.map(({ actor, channel, word }) => ({ label: t(word), actor: actors.get(actor), channel }));
  // Files imported from the command line have no actor; they are shown once there are some.
  if (byChannel.has('import')) rows.push({ label: t('channelImport'), actor: undefined, channel: 'import' });
  return `<table id="intake"><thead><tr><th scope="col">${t('channel')}</th><th scope="col">${t('status')}</th><th scope="col">${t('count')}</th><th scope="col">${t('lastReceived')}</th></tr></thead><tbody>
${rows
  .map(({ label, actor, channel }) => {
    const seen = byChannel.get(channel);
    const state = channel === 'import' ? '' : actorState(actor, lang);
    const last = seen
      ? `<time datetime="${html(seen.last_received_at)}">${html(seen.last_received_at)}</time>`
      : t('never');
    return `<tr data-channel="${html(channel)}"><th scope="row">${label}</th><td>${state}</td><td>${seen?.n ?? 0}</td><td>${last}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`;
}

function firstCheck(health: HealthReport, name: string, componentId?: string): HealthCheck | undefined {
  return health.checks[name]?.find((check) => componentId === undefined || check.componentId === componentId);
}

function nexWriter(node: ActorNode | undefined, health: HealthReport, lang: Lang): string {
  const t = words(lang);
  // The tree's note is the breaker as the writer sees it; health carries the same state when the tree has none.
  const breaker = node?.notes?.breaker ?? firstCheck(health, 'breakers:state', 'nex')?.observedValue;
  return `<table id="nex"><tbody>
<tr><th scope="row">${t('status')}</th><td>${actorState(node, lang)}</td></tr>
<tr><th scope="row">${t('breaker')}</th><td>${breaker === undefined ? t('unknown') : html(String(breaker).replace('_', '-'))}</td></tr>
${node?.lastError ? `<tr><th scope="row">${t('lastError')}</th><td>${html(node.lastError)}</td></tr>` : ''}
</tbody></table>`;
}

function backups(health: HealthReport, lang: Lang): string {
  const t = words(lang);
  const backup = firstCheck(health, 'backup:age');
  const drill = firstCheck(health, 'backup:drill');
  const when = (check: HealthCheck | undefined) => {
    const at = check?.observedValue;
    return typeof at === 'string' ? `<time datetime="${html(at)}">${html(at)}</time>` : t('never');
  };
  const problem = (check: HealthCheck | undefined) =>
    check?.output ? ` <span class="error">${html(check.output)}</span>` : '';
  return `<table id="backups"><tbody>
<tr><th scope="row">${t('lastBackup')}</th><td>${backup ? when(backup) + problem(backup) : t('unknown')}</td></tr>
<tr><th scope="row">${t('lastDrill')}</th><td>${when(drill)}${drill?.status === 'warn' ? ` (${t('failed')})` : ''}${problem(drill)}</td></tr>
</tbody></table>`;
}
