/// <reference lib="dom" />
/**
 * The Lindung dashboard: a single-page app (preact + htm, no build-time JSX) over the reports API. Pages:
 * province overview (region tree with coverage colours, budget burn chart), village table, village detail,
 * invoice list; hash routes so that any static host (CloudFront, the local stack) can serve it.
 */

import type { operations } from '@lindung/api-client';
import htm from 'htm';
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { apiOf, type Schemas, send } from './api.js';
import { App as AppContext } from './context.js';
import { count, coverageBand, type Lang, monthLabel, percent, periodLabel, rupiah } from './format.js';
import { t, type WordKey } from './i18n.js';
import {
  beginSignIn,
  clearSession,
  completeSignIn,
  type DeploymentConfig,
  deploymentConfig,
  type HostedUi,
  hostedUiOf,
  loadSession,
  localToken,
  logoutUrl,
  type Session,
  saveSession,
  signInReturnOf,
} from './session.js';
import { ApprovalsPage } from './views/approvals.js';
import { DraftPage } from './views/draft.js';
import { EnrollPage } from './views/enroll.js';
import { ImportPage } from './views/import.js';
import { InvoicesPage, InvoiceTable, inNumberOrder } from './views/invoices.js';
import { useLoad } from './views/shared.js';
import { Workers } from './views/workers.js';

const html = htm.bind(h);

type Figures = Schemas['RegionFigures'];
type Coverage = Schemas['CoverageReport'];
type CommitmentSummary = Coverage['commitments'][number];
type Budget = Schemas['BudgetReport'];
type CoverageQuery = NonNullable<operations['coverageReport']['parameters']['query']>;

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

/** The coverage report for `query` (nothing while it is undefined). */
const useCoverage = (query: CoverageQuery | undefined) =>
  useLoad(query && `coverage${JSON.stringify(query)}`, (api) =>
    api.GET('/v1/reports/coverage', { params: { query: query ?? {} } }),
  );

const isOperator = (session: Session) =>
  session.claims.roles.includes('village-operator') &&
  !session.claims.roles.some((r) => ['sponsor-officer', 'sponsor-approver', 'auditor', 'admin'].includes(r));

const Loading = ({ lang, error }: { lang: Lang; error?: string | undefined }) =>
  error
    ? html`<p class="error" role="alert">${t(lang, 'error')}: ${error}</p>`
    : html`<p class="muted">${t(lang, 'loading')}</p>`;

const Stat = ({ label, value, id }: { label: string; value: string; id: string }) =>
  html`<div class="stat"><span class="label">${label}</span><strong data-testid=${id}>${value}</strong></div>`;

const CoverageBar = ({ value }: { value: number | null }) =>
  html`<span class=${`bar band-${coverageBand(value)}`}><span style=${`width:${Math.min(100, value ?? 0)}%`}></span></span>`;

/** The headline figures of a region. */
const Totals = ({ lang, figures }: { lang: Lang; figures: Figures }) => html`
  <section class="stats" aria-label=${figures.name}>
    <${Stat} id="total-target" label=${t(lang, 'target')} value=${count(figures.target, lang)} />
    <${Stat} id="total-covered" label=${t(lang, 'covered')} value=${count(figures.covered, lang)} />
    <${Stat} id="total-coverage" label=${t(lang, 'coverage')} value=${percent(figures.coveragePercent, lang)} />
    <${Stat} id="total-allocated" label=${t(lang, 'allocated')} value=${rupiah(figures.allocated)} />
    <${Stat} id="total-spent" label=${t(lang, 'spent')} value=${rupiah(figures.spent)} />
    <${Stat} id="total-remaining" label=${t(lang, 'remaining')} value=${rupiah(figures.remaining)} />
  </section>
  <p class="help" data-testid="used-help">${t(lang, 'usedHelp')}</p>`;

/** One region of the tree; its children load when it is opened. */
const RegionNode = ({
  lang,
  figures,
  query,
  depth,
}: {
  lang: Lang;
  figures: Figures;
  query: CoverageQuery;
  depth: number;
}) => {
  const [open, setOpen] = useState(false);
  const leaf = figures.level === 'village';
  const children = useCoverage(open ? { region: figures.code, ...query } : undefined);
  return html`
    <li class="node" data-code=${figures.code}>
      <div class="row" style=${`padding-left:${depth * 1.1}rem`}>
        ${
          leaf
            ? html`<span class="toggle"></span>`
            : html`<button class="toggle" aria-expanded=${open} aria-label=${t(lang, open ? 'collapse' : 'expand')}
                onClick=${() => setOpen(!open)}>${open ? '▾' : '▸'}</button>`
        }
        <span class="name">
          ${leaf ? html`<a href=${`#/village/${figures.code}`}>${figures.name}</a>` : figures.name}
          <small>${t(lang, `level.${figures.level}` as WordKey)} · ${figures.code}</small>
        </span>
        <span class="num">${count(figures.covered, lang)} / ${count(figures.target, lang)}</span>
        <span class=${`pct band-${coverageBand(figures.coveragePercent)}`}>${percent(figures.coveragePercent, lang)}</span>
        <${CoverageBar} value=${figures.coveragePercent} />
      </div>
      ${
        open &&
        (children.data
          ? html`<ul>${children.data.children.map(
              (c) =>
                html`<${RegionNode} key=${c.code} lang=${lang} figures=${c} query=${query} depth=${depth + 1} />`,
            )}</ul>`
          : html`<${Loading} lang=${lang} error=${children.error} />`)
      }
    </li>`;
};

/** Monthly spend (bars), cumulative spend and the quota (lines) over the fiscal year, drawn by uPlot. */
const BurnChart = ({ lang, budget }: { lang: Lang; budget: Budget }) => {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const xs = budget.burn.map((_, i) => i + 1);
    const lastRolled = budget.burn.reduce((last, b, i) => (b.spent > 0 ? i : last), -1);
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 260,
        scales: { x: { time: false } },
        axes: [
          { values: (_u, ticks) => ticks.map((v) => monthLabel(budget.burn[v - 1]?.period ?? '', lang)) },
          { size: 90, values: (_u, ticks) => ticks.map((v) => rupiah(v).replace(/\.000\.000$/, ' jt')) },
        ],
        series: [
          // The x series' legend reads "Value: --" in uPlot's English unless it is named and formatted.
          {
            label: t(lang, 'period'),
            value: (_u, v) => (v === null ? '–' : monthLabel(budget.burn[v - 1]?.period ?? '', lang)),
          },
          {
            label: t(lang, 'monthlySpent'),
            stroke: '#0f766e',
            fill: 'rgba(15,118,110,0.35)',
            paths: uPlot.paths.bars?.({ size: [0.6, 60] }),
            value: (_u, v) => (v === null ? '–' : rupiah(v)),
          },
          {
            label: t(lang, 'cumulativeSpent'),
            stroke: '#b45309',
            width: 2,
            value: (_u, v) => (v === null ? '–' : rupiah(v)),
          },
          {
            label: t(lang, 'allocated'),
            stroke: '#64748b',
            dash: [6, 4],
            value: (_u, v) => (v === null ? '–' : rupiah(v)),
          },
        ],
      },
      [
        xs,
        // Months not rolled yet have no spending to show (null leaves a gap, not a zero).
        budget.burn.map((b, i) => (i <= lastRolled ? b.spent : null)),
        budget.burn.map((b, i) => (i <= lastRolled ? b.cumulativeSpent : null)),
        budget.burn.map(() => budget.allocated),
      ],
      element,
    );
    const resize = () => chart.setSize({ width: Math.max(280, element.clientWidth), height: 260 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [budget, lang]);
  const f = budget.forecast;
  return html`
    <div class="chart" ref=${box} data-testid="burn-chart"></div>
    <p class="forecast" data-testid="forecast">
      <strong>${t(lang, 'forecast')}:</strong>${' '}
      ${
        f.monthsOfCoverageLeft === null
          ? t(lang, 'forecastNone')
          : t(lang, 'forecastText', {
              burn: rupiah(f.monthlyBurn),
              months: f.monthsOfCoverageLeft,
              through: periodLabel(f.fundedThrough ?? '', lang),
            })
      }
    </p>`;
};

const BudgetPanel = ({ lang, commitments }: { lang: Lang; commitments: CommitmentSummary[] }) => {
  const [selected, setSelected] = useState(commitments[0]?.commitmentId);
  useEffect(() => setSelected(commitments[0]?.commitmentId), [commitments]);
  const budget = useLoad(selected && `budget/${selected}`, (api) =>
    api.GET('/v1/reports/budget', { params: { query: { commitmentId: selected ?? '' } } }),
  );
  if (commitments.length === 0) return null;
  return html`
    <section class="card">
      <header class="card-head">
        <h2>${t(lang, 'burnChart')}</h2>
        <select aria-label=${t(lang, 'commitment')} value=${selected} onChange=${(e: Event) => setSelected((e.target as HTMLSelectElement).value)}>
          ${commitments.map(
            (c) =>
              html`<option value=${c.commitmentId}>${c.sponsorName ?? c.sponsorId} · ${c.fiscalYear} · ${rupiah(c.committed || c.budget)}</option>`,
          )}
        </select>
      </header>
      ${
        budget.data
          ? html`
            <div class="stats small">
              <${Stat} id="budget-committed" label=${t(lang, 'committed')} value=${rupiah(budget.data.committed)} />
              <${Stat} id="budget-reserved" label=${t(lang, 'reserved')} value=${rupiah(budget.data.reserved)} />
              <${Stat} id="budget-spent" label=${t(lang, 'spent')} value=${rupiah(budget.data.spent)} />
              <${Stat} id="budget-released" label=${t(lang, 'released')} value=${rupiah(budget.data.released)} />
              <${Stat} id="budget-remaining" label=${t(lang, 'remaining')} value=${rupiah(budget.data.remaining)} />
            </div>
            <${BurnChart} lang=${lang} budget=${budget.data} />`
          : html`<${Loading} lang=${lang} error=${budget.error} />`
      }
    </section>`;
};

/** The fiscal year and sponsor a report was of, for the reports below it. */
const scopeQuery = (coverage: Coverage): CoverageQuery => ({
  fiscalYear: coverage.fiscalYear,
  ...(coverage.sponsorId && { sponsorId: coverage.sponsorId }),
});

const Overview = ({ lang }: { lang: Lang }) => {
  const coverage = useCoverage({});
  if (!coverage.data) return html`<${Loading} lang=${lang} error=${coverage.error} />`;
  const data = coverage.data;
  return html`
    <h1 data-testid="region-title">${data.region.name} <small>${t(lang, 'fiscalYear')} ${data.fiscalYear}</small></h1>
    <${Totals} lang=${lang} figures=${data.region} />
    <div class="columns">
      <section class="card">
        <h2>${t(lang, 'regions')}</h2>
        <ul class="tree" data-testid="region-tree">
          ${data.children.map(
            (c) =>
              html`<${RegionNode} key=${c.code} lang=${lang} figures=${c} query=${scopeQuery(data)} depth=${0} />`,
          )}
        </ul>
      </section>
      <${BudgetPanel} lang=${lang} commitments=${data.commitments} />
    </div>`;
};

const VillageTable = ({ lang }: { lang: Lang }) => {
  const top = useCoverage({});
  const region = top.data?.region;
  const base = region && (region.level === 'national' ? top.data?.children[0]?.code : region.code);
  const all = useCoverage(
    base && top.data ? { region: base, children: 'villages', ...scopeQuery(top.data) } : undefined,
  );
  const [search, setSearch] = useState('');
  const rows = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (all.data?.children ?? []).filter(
      (v) => !needle || v.name.toLowerCase().includes(needle) || v.code.includes(needle),
    );
  }, [all.data, search]);
  if (!all.data) return html`<${Loading} lang=${lang} error=${top.error ?? all.error} />`;
  return html`
    <h1>${t(lang, 'villages')} · ${all.data.region.name}</h1>
    <input class="search" type="search" placeholder=${t(lang, 'search')} aria-label=${t(lang, 'search')}
      value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} data-testid="village-search" />
    <p class="muted" data-testid="village-count">${t(lang, 'shown', { n: count(rows.length, lang), total: count(all.data.children.length, lang) })}</p>
    <div class="table-wrap">
      <table data-testid="village-table">
        <thead><tr>
          <th>${t(lang, 'village')}</th><th class="num">${t(lang, 'target')}</th><th class="num">${t(lang, 'covered')}</th>
          <th class="num">${t(lang, 'coverage')}</th><th class="num">${t(lang, 'allocated')}</th>
          <th class="num">${t(lang, 'used')}</th><th class="num">${t(lang, 'remaining')}</th>
        </tr></thead>
        <tbody>
          ${rows.map(
            (v) => html`<tr data-code=${v.code}>
              <td><a href=${`#/village/${v.code}`}>${v.name}</a><small>${v.code}</small></td>
              <td class="num">${count(v.target, lang)}</td>
              <td class="num">${count(v.covered, lang)}</td>
              <td class=${`num band-${coverageBand(v.coveragePercent)}`}>${percent(v.coveragePercent, lang)}</td>
              <td class="num">${rupiah(v.allocated)}</td>
              <td class="num">${rupiah(v.used)}</td>
              <td class="num">${rupiah(v.remaining)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${rows.length === 0 && html`<p class="muted">${t(lang, 'noRows')}</p>`}
    </div>`;
};

const VillageDetail = ({ lang, session, code }: { lang: Lang; session: Session; code: string }) => {
  const coverage = useCoverage({ region: code });
  const sponsorId = isOperator(session) ? undefined : session.claims.sponsorId;
  const invoices = useLoad(`invoices/${code}/${sponsorId ?? ''}`, (api) =>
    api.GET('/v1/invoices', {
      params: { query: { villageCode: code, ...(sponsorId && { sponsorId }), limit: 200 } },
    }),
  );
  if (!coverage.data) return html`<${Loading} lang=${lang} error=${coverage.error} />`;
  const data = coverage.data;
  return html`
    ${!isOperator(session) && html`<a class="back" href="#/villages">← ${t(lang, 'back')}</a>`}
    <h1 data-testid="village-title">${data.region.name} <small>${data.region.code}</small></h1>
    <${Totals} lang=${lang} figures=${data.region} />
    <section class="card">
      <h2>${t(lang, 'workers')}</h2>
      ${data.children.map(
        (
          c,
        ) => html`<h3 class="muted">${t(lang, 'commitment')} ${c.code.slice(-6)} · ${t(lang, 'allocated')} ${rupiah(c.allocated)} · ${t(lang, 'remaining')} ${rupiah(c.remaining)}</h3>
          <${Workers} commitmentId=${c.code} code=${code} canTerminate=${isOperator(session)} />`,
      )}
      ${data.children.length === 0 && html`<p class="muted">${t(lang, 'noWorkers')}</p>`}
    </section>
    <section class="card">
      <h2>${t(lang, 'invoices')}</h2>
      ${invoices.data ? html`<${InvoiceTable} invoices=${inNumberOrder(invoices.data.items)} />` : html`<${Loading} lang=${lang} error=${invoices.error} />`}
    </section>`;
};

/** The invoices of the caller's sponsor (or village); an auditor's of the first sponsor with a commitment. */
const InvoicesRoute = ({ lang, session }: { lang: Lang; session: Session }) => {
  const operator = isOperator(session);
  const own = session.claims.sponsorId;
  const top = useCoverage(!own && !operator ? {} : undefined);
  const [typed, setTyped] = useState('');
  const sponsorId = own ?? top.data?.commitments[0]?.sponsorId ?? (typed || undefined);
  if (operator) return html`<${InvoicesPage} villageCode=${session.claims.villageCodes[0]} />`;
  if (sponsorId) return html`<${InvoicesPage} key=${sponsorId} sponsorId=${sponsorId} />`;
  // A reader without a sponsor in scope nor the reports (BPJS billing) names the sponsor.
  return html`<h1>${t(lang, 'invoices')}</h1>
    <form class="card form" onSubmit=${(e: Event) => {
      e.preventDefault();
      setTyped(
        ((e.target as HTMLFormElement).elements.namedItem('sponsor') as HTMLInputElement).value.trim(),
      );
    }}><label for="sponsor">Sponsor</label><input id="sponsor" name="sponsor" />
    <button class="button primary" type="submit">${t(lang, 'search')}</button></form>`;
};

interface DemoUser {
  label: string;
  claims: { roles: string[]; sponsorId?: string; villageCodes?: string[]; sub: string; name: string };
}

/** Sign-in through the user pool's hosted UI (on AWS), or why it cannot happen. */
const HostedSignIn = ({
  lang,
  hostedUi,
  pending,
  error,
}: {
  lang: Lang;
  hostedUi: HostedUi | undefined;
  pending: boolean;
  error: string | undefined;
}) => {
  const [leaving, setLeaving] = useState(false);
  const [failure, setFailure] = useState<string>();
  const problem = failure ?? error;
  const signIn = () => {
    if (!hostedUi) return;
    setLeaving(true);
    beginSignIn(hostedUi, { lang, route: location.hash })
      .then((url) => location.assign(url))
      .catch((e: Error) => {
        setLeaving(false);
        setFailure(e.message);
      });
  };
  return html`<section class="card signin"><h1>${t(lang, 'signIn')}</h1>
    ${problem && html`<p class="error" role="alert">${t(lang, 'signInFailed')}: ${problem}</p>`}
    ${
      pending
        ? html`<p class="muted">${t(lang, 'signingIn')}</p>`
        : hostedUi
          ? html`<button class="button" data-testid="sign-in-cognito" disabled=${leaving} onClick=${signIn}>${t(lang, 'signInCognito')}</button>`
          : html`<p class="muted">${t(lang, 'cognitoMissing')}</p>`
    }
  </section>`;
};

/** Local sign-in: demo users of every role, found through an auditor's view of the seeded data. */
const SignIn = ({ lang, onSession }: { lang: Lang; onSession: (s: Session) => void }) => {
  const [users, setUsers] = useState<DemoUser[] | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const auditor = await localToken({ roles: ['auditor'], sub: 'demo-auditor' });
      const api = apiOf(auditor);
      const top = await send(api.GET('/v1/reports/coverage'));
      const found: DemoUser[] = [];
      const sponsors = new Map(top.commitments.map((c) => [c.sponsorId, c.sponsorName ?? c.sponsorId]));
      for (const [sponsorId, name] of sponsors) {
        found.push({
          label: `${t(lang, 'financeOfficer')} — ${name}`,
          claims: {
            roles: ['sponsor-officer'],
            sponsorId,
            sub: `demo-officer-${sponsorId}`,
            name: `${name}`,
          },
        });
      }
      for (const [sponsorId, name] of sponsors) {
        found.push({
          label: `${t(lang, 'approver')} — ${name}`,
          claims: { roles: ['sponsor-approver'], sponsorId, sub: `demo-approver-${sponsorId}`, name },
        });
      }
      const firstSponsor = [...sponsors.keys()][0];
      if (firstSponsor) {
        found.push({
          label: `${t(lang, 'billing')} — ${sponsors.get(firstSponsor)}`,
          claims: { roles: ['billing'], sponsorId: firstSponsor, sub: 'demo-billing', name: 'BPJS' },
        });
      }
      const province = top.children.find((c) => c.quotas > 0)?.code;
      if (province) {
        const villages = await send(
          api.GET('/v1/reports/coverage', {
            params: { query: { region: province, children: 'villages', fiscalYear: top.fiscalYear } },
          }),
        );
        for (const v of villages.children.filter((x) => x.quotas > 0).slice(0, 3)) {
          found.push({
            label: `${t(lang, 'villageOperator')} — ${v.name} (${v.code})`,
            claims: {
              roles: ['village-operator'],
              villageCodes: [v.code],
              sub: `demo-operator-${v.code}`,
              name: v.name,
            },
          });
        }
      }
      found.push({
        label: t(lang, 'auditor'),
        claims: { roles: ['auditor'], sub: 'demo-auditor', name: 'Auditor' },
      });
      setUsers(found);
    })().catch((e: Error) => setError(e.message));
  }, [lang]);
  return html`<section class="card signin">
    <h1>${t(lang, 'signInAs')}</h1>
    ${error && html`<p class="error">${error}</p>`}
    ${!users && !error && html`<p class="muted">${t(lang, 'loading')}</p>`}
    ${users && users.length === 1 && html`<p class="muted">${t(lang, 'noDemoData')}</p>`}
    <ul class="users">
      ${(users ?? []).map(
        (u) =>
          html`<li><button class="button" data-role=${u.claims.roles[0]} onClick=${async () => onSession(saveSession(await localToken(u.claims)))}>${u.label}</button></li>`,
      )}
    </ul>
  </section>`;
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
