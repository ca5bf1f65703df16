import type { Identity } from '../auth/identity.ts';
import { roleAllows } from '../auth/roles.ts';
import { html, words, type Lang } from './text.ts';

/**
 * The page around every console view: no external assets (the console works with no
 * internet), a language switch, and a sign-out form carrying the CSRF token.
 */
const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#1b1f23;background:#f6f7f9}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;background:#1f3a5f;color:#fff}
header a{color:#fff}header nav{display:flex;gap:1rem;flex:1}
main{padding:1rem;max-width:1200px;margin:auto}
table{border-collapse:collapse;background:#fff;margin:.5rem 0}
td,th{border:1px solid #d0d5dc;padding:.3rem .5rem;text-align:left}
.banner{padding:.6rem 1rem;border-radius:4px;margin-bottom:1rem}
.pass{background:#dff5e1}.warn{background:#fff4d6}.fail{background:#fddede}
.split{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
canvas{max-width:100%;border:1px solid #d0d5dc;background:#fff}
pre{white-space:pre-wrap;background:#fff;border:1px solid #d0d5dc;padding:.5rem;max-height:70vh;overflow:auto}
form.signin{display:grid;gap:.5rem;max-width:20rem;background:#fff;padding:1rem;border:1px solid #d0d5dc}
.error{color:#a40000}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;background:#fff;padding:.6rem;border:1px solid #d0d5dc}
form.filters label{display:flex;flex-direction:column;font-size:.9rem}
.paging{display:flex;gap:1rem}.notice{background:#dff5e1;padding:.4rem .6rem}
`;

export function page(options: {
  lang: Lang;
  title: string;
  body: string;
  identity: Identity | null;
  csrf: string | null;
  path: string;
}): string {
  const t = words(options.lang);
  const other = options.lang === 'sk' ? 'en' : 'sk';
  // People and tokens only for admins: the others would get 403 there.
  const adminLinks =
    options.identity && roleAllows(options.identity.role, 'admin')
      ? `<a href="/people">${t('people')}</a><a href="/tokens">${t('tokens')}</a>`
      : '';
  const nav = options.identity
    ? `<nav><a href="/">${t('overview')}</a><a href="/queue">${t('workQueue')}</a><a href="/dead-letters">${t('deadLetters')}</a><a href="/actors">${t('actors')}</a>${adminLinks}</nav>
       <span>${t('signedInAs')}: ${html(options.identity.kind === 'person' ? options.identity.displayName || options.identity.name : options.identity.name)} (${t('role')} ${html(options.identity.role)})</span>
       <form method="post" action="/signout"><input type="hidden" name="_csrf" value="${html(options.csrf ?? '')}"><button type="submit">${t('signOut')}</button></form>`
    : '<nav></nav>';
  return `<!doctype html>
<html lang="${options.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(options.title)} · ${t('title')}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><header><strong>${t('title')}</strong>${nav}<a href="${html(options.path)}?lang=${other}">${t('other')}</a></header>
<main>${options.body}</main></body></html>`;
}
