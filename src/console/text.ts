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
