/**
 * The console's words, Slovak first (the operators are Slovak office staff) and English by a
 * switch (`?lang=en`, kept in the `il_lang` cookie).
 */
export type Lang = 'sk' | 'en';

const WORDS = {
  title: { sk: 'Nahrávač faktúr', en: 'Invoice loader' },
  signIn: { sk: 'Prihlásenie', en: 'Sign in' },
  name: { sk: 'Meno', en: 'Name' },
  password: { sk: 'Heslo', en: 'Password' },
  signInButton: { sk: 'Prihlásiť sa', en: 'Sign in' },
  signOut: { sk: 'Odhlásiť sa', en: 'Sign out' },
  signInFailed: { sk: 'Nesprávne meno alebo heslo.', en: 'Wrong name or password.' },
  signInLocked: {
    sk: 'Príliš veľa nesprávnych pokusov; skúste to neskôr.',
    en: 'Too many wrong passwords; try again later.',
  },
  nobodyYet: {
    sk: 'Zatiaľ tu nie je nikto. Prvého správcu pridajte na serveri príkazom:',
    en: 'Nobody is set up yet. Add the first admin on the server with:',
  },
  overview: { sk: 'Prehľad', en: 'Overview' },
  workQueue: { sk: 'Na spracovanie', en: 'Work queue' },
  deadLetters: { sk: 'Nedoručené', en: 'Dead letters' },
  actors: { sk: 'Aktéri', en: 'Actors' },
  receivedPerDay: { sk: 'Prijaté faktúry za posledných 14 dní', en: 'Invoices received in the last 14 days' },
  day: { sk: 'Deň', en: 'Day' },
  intake: { sk: 'Príjem podľa kanála', en: 'Intake per channel' },
  channel: { sk: 'Kanál', en: 'Channel' },
  channelMailbox: { sk: 'E-mailová schránka', en: 'Mailbox' },
  channelDropFolder: { sk: 'Priečinok', en: 'Drop folder' },
  channelHttp: { sk: 'Nahrávanie cez HTTP', en: 'HTTP upload' },
  channelImport: { sk: 'Import z príkazového riadku', en: 'Command-line import' },
  lastReceived: { sk: 'Posledná prijatá', en: 'Last received' },
  never: { sk: 'zatiaľ nikdy', en: 'never yet' },
  nexWriter: { sk: 'Zápis do NEX', en: 'NEX writer' },
  breaker: { sk: 'Istič', en: 'Breaker' },
  unknown: { sk: 'neznámy', en: 'unknown' },
  backups: { sk: 'Zálohy', en: 'Backups' },
  lastBackup: { sk: 'Posledná úspešná záloha', en: 'Last successful backup' },
  lastDrill: { sk: 'Posledná skúška obnovy', en: 'Last restore drill' },
  failed: { sk: 'zlyhala', en: 'failed' },
  age: { sk: 'Čaká', en: 'Age' },
  search: { sk: 'Hľadať (číslo, dodávateľ, IČO, IČ DPH)', en: 'Search (number, supplier, IČO, VAT id)' },
  receivedFrom: { sk: 'Prijaté od', en: 'Received from' },
  receivedTo: { sk: 'Prijaté do', en: 'Received to' },
  allSuppliers: { sk: 'všetci', en: 'all' },
  waitingStatuses: { sk: 'čakajúce na človeka', en: 'waiting for a person' },
  sortBy: { sk: 'Zoradiť podľa', en: 'Sort by' },
  sortAge: { sk: 'čakania', en: 'age' },
  sortAmount: { sk: 'sumy', en: 'amount' },
  direction: { sk: 'Poradie', en: 'Order' },
  descending: { sk: 'zostupne', en: 'descending' },
  ascending: { sk: 'vzostupne', en: 'ascending' },
  filter: { sk: 'Filtrovať', en: 'Filter' },
  found: { sk: 'Nájdené', en: 'Found' },
  page: { sk: 'Strana', en: 'Page' },
  previous: { sk: '← Predchádzajúca', en: '← Previous' },
  next: { sk: 'Ďalšia →', en: 'Next →' },
  attempts: { sk: 'Pokusy', en: 'Attempts' },
  lastError: { sk: 'Posledná chyba', en: 'Last error' },
  since: { sk: 'Od', en: 'Since' },
  replay: { sk: 'Odoslať znova', en: 'Replay' },
  replayAll: { sk: 'Odoslať znova všetky', en: 'Replay all' },
  replayedCount: { sk: 'Znova zaradené na odoslanie', en: 'Queued for posting again' },
  actorId: { sk: 'Aktér', en: 'Actor' },
  kind: { sk: 'Druh', en: 'Kind' },
  machineState: { sk: 'Stav stroja', en: 'Machine state' },
  supervision: { sk: 'Podľa dozoru', en: 'Supervisor says' },
  restarts: { sk: 'Reštarty', en: 'Restarts' },
  notes: { sk: 'Poznámky', en: 'Notes' },
  liveUpdates: {
    sk: 'Tabuľka sa obnovuje priebežne z toku inšpektora.',
    en: "The table refreshes live from the inspector's stream.",
  },
  status: { sk: 'Stav', en: 'Status' },
  count: { sk: 'Počet', en: 'Count' },
  waiting: { sk: 'Čakajú na človeka', en: 'Waiting for a person' },
  supplier: { sk: 'Dodávateľ', en: 'Supplier' },
  number: { sk: 'Číslo', en: 'Number' },
  gross: { sk: 'Suma s DPH', en: 'Gross' },
  received: { sk: 'Prijatá', en: 'Received' },
  invoice: { sk: 'Faktúra', en: 'Invoice' },
  document: { sk: 'Originál', en: 'Original document' },
  download: { sk: 'Stiahnuť originál', en: 'Download original' },
  header: { sk: 'Hlavička', en: 'Header' },
  lines: { sk: 'Položky', en: 'Lines' },
  history: { sk: 'História', en: 'History' },
  problems: { sk: 'Problémy', en: 'Problems' },
  none: { sk: 'Nič', en: 'Nothing' },
  health: { sk: 'Stav systému', en: 'System health' },
  signedInAs: { sk: 'Prihlásený', en: 'Signed in' },
  role: { sk: 'rola', en: 'role' },
  other: { sk: 'English', en: 'Slovensky' },
} satisfies Record<string, Record<Lang, string>>;

export type Word = keyof typeof WORDS;

export function words(lang: Lang): (word: Word) => string {
  return (word) => WORDS[word][lang];
}

/** Escapes text for HTML element content and attribute values. */
export function html(text: unknown): string {
  return String(text ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
