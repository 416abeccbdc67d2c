/// <reference lib="dom" />
/**
 * The Lindung dashboard: a single-page app (preact + htm, no build-time JSX) over the HTTP API, one view per
 * page under views/; hash routes so that any static host (CloudFront, the local stack) can serve it. This file
 * routes, holds the language and the session, and draws the menu each role sees.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { App as AppContext, isOperator } from './context.js';
import type { Lang } from './format.js';
import { t, type WordKey } from './i18n.js';
import {
  clearSession,
  completeSignIn,
  type DeploymentConfig,
  deploymentConfig,
  hostedUiOf,
  loadSession,
  logoutUrl,
  type Session,
  signInReturnOf,
} from './session.js';
import { ApprovalsPage } from './views/approvals.js';
import { DraftPage } from './views/draft.js';
import { EnrollPage } from './views/enroll.js';
import { ImportPage } from './views/import.js';
import { InvoicesRoute } from './views/invoices-route.js';
import { Overview } from './views/overview.js';
import { html, Loading } from './views/shared.js';
import { HostedSignIn, SignIn } from './views/sign-in.js';
import { VillageDetail, VillageTable } from './views/villages.js';

type Route =
  | { page: 'overview' }
  | { page: 'villages' }
  | { page: 'village'; code: string }
  | { page: 'invoices' }
  | { page: 'enroll' }
  | { page: 'import'; jobId?: string }
  | { page: 'approvals' }
  | { page: 'draft' };

const parseRoute = (hash: string): Route => {
  const [, page, code] = hash.replace(/^#/, '').split('/');
  if (page === 'villages') return { page: 'villages' };
  if (page === 'village' && code) return { page: 'village', code: decodeURIComponent(code) };
  if (page === 'invoices') return { page: 'invoices' };
  if (page === 'enroll') return { page: 'enroll' };
  if (page === 'import')
    return code ? { page: 'import', jobId: decodeURIComponent(code) } : { page: 'import' };
  if (page === 'approvals') return { page: 'approvals' };
  if (page === 'draft') return { page: 'draft' };
  return { page: 'overview' };
};

const useRoute = (): Route => {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
};

const LANG_KEY = 'lindung.lang';

const App = () => {
  const [lang, setLang] = useState<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'id');
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [config, setConfig] = useState<DeploymentConfig | undefined | null>(null);
  // Set while this page load completes a sign-in that the hosted UI sent back here.
  const [returned, setReturned] = useState(() => signInReturnOf(location.search));
  const [signInError, setSignInError] = useState<string>();
  const route = useRoute();
  const hostedUi = useMemo(() => (config ? hostedUiOf(config, location.origin) : undefined), [config]);
  useEffect(() => {
    deploymentConfig().then(setConfig);
  }, []);
  useEffect(() => {
    if (config === null || !returned) return;
    // The code is single-use and the URL is no place for it: leave the address bar clean either way.
    history.replaceState(null, '', location.pathname + location.hash);
    if (!hostedUi) {
      setReturned(undefined);
      return;
    }
    completeSignIn(hostedUi, returned)
      .then(({ session: signedIn, route: opening }) => {
        setSession(signedIn);
        if (opening) location.hash = opening;
      })
      .catch((error: Error) => setSignInError(error.message))
      .finally(() => setReturned(undefined));
  }, [config, hostedUi, returned]);
  useEffect(() => {
    // An expired token would only earn 401s: sign in again instead.
    const expiresAt = session?.expiresAt;
    if (expiresAt === undefined) return;
    const timer = setTimeout(
      () => {
        clearSession();
        setSession(undefined);
      },
      Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1),
    );
    return () => clearTimeout(timer);
  }, [session]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t(lang, 'appTitle');
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);
  useEffect(() => {
    // A village operator has one village: that is their dashboard.
    const own = session?.claims.villageCodes[0];
    const ownPages = ['village', 'invoices', 'enroll', 'import'];
    if (session && isOperator(session) && own && !ownPages.includes(route.page)) {
      location.hash = `#/village/${own}`;
    }
  }, [session, route]);
  const operator = session && isOperator(session);
  const roles = session?.claims.roles ?? [];
  const nav = (href: string, key: WordKey, active: boolean) =>
    html`<a href=${href} class=${active ? 'active' : ''} aria-current=${active ? 'page' : undefined} data-testid=${`nav-${key}`}>${t(lang, key)}</a>`;
  const sponsorStaff = roles.includes('sponsor-officer') || roles.includes('sponsor-approver');
  const links = !session
    ? []
    : operator
      ? [
          nav(`#/village/${session.claims.villageCodes[0] ?? ''}`, 'overview', route.page === 'village'),
          nav('#/enroll', 'enroll', route.page === 'enroll'),
          nav('#/import', 'import', route.page === 'import'),
          nav('#/invoices', 'invoices', route.page === 'invoices'),
        ]
      : roles.includes('billing') && !roles.includes('auditor') && !sponsorStaff
        ? [nav('#/invoices', 'invoices', route.page === 'invoices')]
        : [
            nav('#/', 'overview', route.page === 'overview'),
            nav('#/villages', 'villages', route.page === 'villages' || route.page === 'village'),
            nav('#/invoices', 'invoices', route.page === 'invoices'),
            ...(sponsorStaff ? [nav('#/approvals', 'approvals', route.page === 'approvals')] : []),
            ...(roles.includes('sponsor-officer')
              ? [nav('#/draft', 'newCommitment', route.page === 'draft')]
              : []),
          ];
  const page = (signedIn: Session) => {
    switch (route.page) {
      case 'villages':
        return html`<${VillageTable} lang=${lang} />`;
      case 'village':
        return html`<${VillageDetail} key=${route.code} lang=${lang} session=${signedIn} code=${route.code} />`;
      case 'invoices':
        return html`<${InvoicesRoute} lang=${lang} session=${signedIn} />`;
      case 'enroll':
        return html`<${EnrollPage} code=${signedIn.claims.villageCodes[0] ?? ''} />`;
      case 'import':
        return html`<${ImportPage} code=${signedIn.claims.villageCodes[0] ?? ''} jobId=${route.jobId} />`;
      case 'approvals':
        return html`<${ApprovalsPage} />`;
      case 'draft':
        return html`<${DraftPage} />`;
      default:
        return operator
          ? html`<${Loading} lang=${lang} />`
          : roles.includes('billing') && !roles.includes('auditor') && !sponsorStaff
            ? html`<${InvoicesRoute} lang=${lang} session=${signedIn} />`
            : html`<${Overview} lang=${lang} />`;
    }
  };
  return html`
    <header class="top">
      <a class="brand" href="#/"><strong>Lindung</strong><span>${t(lang, 'tagline')}</span></a>
      <nav aria-label="Menu">${links}</nav>
      <div class="tools">
        <button class="lang" data-testid="lang-switch" aria-label=${lang === 'id' ? 'EN — English' : 'ID — Bahasa Indonesia'} onClick=${() => setLang(lang === 'id' ? 'en' : 'id')}>${lang === 'id' ? 'EN' : 'ID'}</button>
        ${
          session &&
          html`<button class="link" data-testid="sign-out" onClick=${() => {
            clearSession();
            // On AWS the user pool's session ends too, or the hosted UI would sign the same user straight in.
            if (hostedUi) {
              location.assign(logoutUrl(hostedUi));
            } else {
              setSession(undefined);
              location.hash = '#/';
            }
          }}>${t(lang, 'signOut')}</button>`
        }
      </div>
    </header>
    <main>
      ${
        !session
          ? config === null
            ? null
            : config
              ? html`<${HostedSignIn} lang=${lang} hostedUi=${hostedUi} pending=${Boolean(returned)} error=${signInError} />`
              : html`<${SignIn} lang=${lang} onSession=${setSession} />`
          : html`<${AppContext.Provider} value=${{ lang, session }}>${page(session)}</${AppContext.Provider}>`
      }
    </main>`;
};

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
