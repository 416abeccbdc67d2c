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
import { DepositsPage } from './views/deposits.js';
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
  | { page: 'draft' }
  | { page: 'deposits' };

/** The pages by their first path segment (`#/invoices`); a second segment is the village or the job. */
const ROUTES: Record<string, (segment?: string) => Route | undefined> = {
  villages: () => ({ page: 'villages' }),
  village: (code) => (code ? { page: 'village', code } : undefined),
  invoices: () => ({ page: 'invoices' }),
  enroll: () => ({ page: 'enroll' }),
  import: (jobId) => (jobId ? { page: 'import', jobId } : { page: 'import' }),
  approvals: () => ({ page: 'approvals' }),
  draft: () => ({ page: 'draft' }),
  deposits: () => ({ page: 'deposits' }),
};

const parseRoute = (hash: string): Route => {
  const [, page = '', segment] = hash.replace(/^#/, '').split('/');
  const route = Object.hasOwn(ROUTES, page) ? ROUTES[page] : undefined;
  return route?.(segment === undefined ? undefined : decodeURIComponent(segment)) ?? { page: 'overview' };
};

/**
 * What a signed-in person works in: one village's desk, billing's invoices, a collector's deposits, or a
 * sponsor's or auditor's office.
 */
type Workspace = 'village' | 'billing' | 'collection' | 'office' | 'region';

/** Whether the session is a collection partner's collector and nothing more: deposits are their dashboard. */
const isCollector = (session: Session) =>
  session.claims.roles.length > 0 && session.claims.roles.every((r) => r === 'collector');

const isSponsorStaff = (session: Session) =>
  session.claims.roles.includes('sponsor-officer') || session.claims.roles.includes('sponsor-approver');

const workspaceOf = (session: Session): Workspace => {
  if (isOperator(session)) return 'village';
  if (isCollector(session)) return 'collection';
  const { roles } = session.claims;
  if (roles.includes('regional-office') && !roles.includes('auditor') && !isSponsorStaff(session)) {
    return 'region';
  }
  return roles.includes('billing') && !roles.includes('auditor') && !isSponsorStaff(session)
    ? 'billing'
    : 'office';
};

interface MenuItem {
  readonly href: string;
  readonly key: WordKey;
  /** The pages on which this item is the current one. */
  readonly pages: readonly Route['page'][];
}

/** The menu of each workspace, in order. */
const MENUS: Record<Workspace, (session: Session) => MenuItem[]> = {
  village: (session) => [
    { href: `#/village/${session.claims.villageCodes[0] ?? ''}`, key: 'overview', pages: ['village'] },
    { href: '#/enroll', key: 'enroll', pages: ['enroll'] },
    { href: '#/import', key: 'import', pages: ['import'] },
    { href: '#/invoices', key: 'invoices', pages: ['invoices'] },
  ],
  billing: () => [{ href: '#/invoices', key: 'invoices', pages: ['invoices'] }],
  collection: () => [{ href: '#/deposits', key: 'deposits', pages: ['deposits'] }],
  region: () => [{ href: '#/', key: 'overview', pages: ['overview'] }],
  office: (session) => [
    { href: '#/', key: 'overview', pages: ['overview'] },
    { href: '#/villages', key: 'villages', pages: ['villages', 'village'] },
    { href: '#/invoices', key: 'invoices', pages: ['invoices'] },
    ...(isSponsorStaff(session)
      ? [{ href: '#/approvals', key: 'approvals' as const, pages: ['approvals' as const] }]
      : []),
    ...(session.claims.roles.includes('sponsor-officer')
      ? [{ href: '#/draft', key: 'newCommitment' as const, pages: ['draft' as const] }]
      : []),
  ],
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
    // A collector has one page: the day's deposits.
    if (session && isCollector(session) && route.page !== 'deposits') location.hash = '#/deposits';
  }, [session, route]);
  const workspace = session && workspaceOf(session);
  const links = (session && workspace ? MENUS[workspace](session) : []).map(
    ({ href, key, pages }) =>
      html`<a href=${href} class=${pages.includes(route.page) ? 'active' : ''} aria-current=${pages.includes(route.page) ? 'page' : undefined} data-testid=${`nav-${key}`}>${t(lang, key)}</a>`,
  );
  /** Sign-in through the hosted UI on AWS, with a local token here; nothing until the deployment is known. */
  const signIn = () => {
    if (config === null) return null;
    return config
      ? html`<${HostedSignIn} lang=${lang} hostedUi=${hostedUi} pending=${Boolean(returned)} error=${signInError} />`
      : html`<${SignIn} lang=${lang} onSession=${setSession} />`;
  };
  const page = (signedIn: Session) => {
    switch (route.page) {
      case 'villages':
        return html`<${VillageTable} />`;
      case 'village':
        return html`<${VillageDetail} key=${route.code} code=${route.code} />`;
      case 'invoices':
        return html`<${InvoicesRoute} />`;
      case 'enroll':
        return html`<${EnrollPage} code=${signedIn.claims.villageCodes[0] ?? ''} />`;
      case 'import':
        return html`<${ImportPage} code=${signedIn.claims.villageCodes[0] ?? ''} jobId=${route.jobId} />`;
      case 'approvals':
        return html`<${ApprovalsPage} />`;
      case 'draft':
        return html`<${DraftPage} />`;
      case 'deposits':
        return html`<${DepositsPage} />`;
      default:
        // An operator or a collector is on the way to their page (the effect above); billing has only invoices.
        if (workspace === 'village' || workspace === 'collection') return html`<${Loading} lang=${lang} />`;
        if (workspace === 'billing') return html`<${InvoicesRoute} />`;
        return html`<${Overview} />`;
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
      ${session ? html`<${AppContext.Provider} value=${{ lang, session }}>${page(session)}</${AppContext.Provider}>` : signIn()}
    </main>`;
};

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
