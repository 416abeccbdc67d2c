/// <reference lib="dom" />
/**
 * The overview of a sponsor's (or the auditor's) region: the headline figures, the region tree with coverage
 * colours (children loaded as a region is opened) and the budget burn chart with its forecast.
 */
import type { operations } from '@lindung/api-client';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { apiOf, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { forecastSentence } from '../forecast.js';
import { count, coverageBand, type Lang, monthLabel, percent, rupiah } from '../format.js';
import { t, type WordKey } from '../i18n.js';
import { outlookSentence } from '../outlook.js';
import { explain } from '../problems.js';
import { IncentivesPanel } from './incentives.js';
import { html, Loading, useLoad } from './shared.js';

export type Figures = Schemas['RegionFigures'];
export type Coverage = Schemas['CoverageReport'];
type CommitmentSummary = Coverage['commitments'][number];
type Budget = Schemas['BudgetReport'];
export type CoverageQuery = NonNullable<operations['coverageReport']['parameters']['query']>;

/** The coverage report for `query` (nothing while it is undefined). */
export const useCoverage = (query: CoverageQuery | undefined) =>
  useLoad(query && `coverage${JSON.stringify(query)}`, (api) =>
    api.GET('/v1/reports/coverage', { params: { query: query ?? {} } }),
  );

const Stat = ({ label, value, id }: { label: string; value: string; id: string }) =>
  html`<div class="stat"><span class="label">${label}</span><strong data-testid=${id}>${value}</strong></div>`;

const CoverageBar = ({ value }: { value: number | null }) =>
  html`<span class=${`bar band-${coverageBand(value)}`}><span style=${`width:${Math.min(100, value ?? 0)}%`}></span></span>`;

/** The headline figures of a region. */
export const Totals = ({ lang, figures }: { lang: Lang; figures: Figures }) => html`
  <section class="stats" aria-label=${figures.name}>
    <${Stat} id="total-target" label=${t(lang, 'target')} value=${count(figures.target, lang)} />
    <${Stat} id="total-covered" label=${t(lang, 'covered')} value=${count(figures.covered, lang)} />
    <${Stat} id="total-coverage" label=${t(lang, 'coverage')} value=${percent(figures.coveragePercent, lang)} />
    <${Stat} id="total-gap" label=${t(lang, 'gap')} value=${count(figures.gap, lang)} />
    <${Stat} id="total-gap-cost" label=${t(lang, 'gapCost')} value=${rupiah(figures.gapCost)} />
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
  return html`
    <div class="chart" ref=${box} data-testid="burn-chart"></div>
    <p class="forecast" data-testid="forecast">
      <strong>${t(lang, 'forecast')}:</strong>${' '}
      ${forecastSentence(lang, budget.forecast, budget.fiscalYear)}
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
              <${Stat} id="budget-awarded" label=${t(lang, 'awardedMoney')} value=${rupiah(budget.data.awarded.money)} />
            </div>
            <${BurnChart} lang=${lang} budget=${budget.data} />`
          : html`<${Loading} lang=${lang} error=${budget.error} />`
      }
    </section>`;
};

/**
 * The region's coverage target for the year, as set or as measured by default; an administrator or a
 * sponsor's officer sets it here (a number of workers, or a share of the region's vulnerable workers).
 */
const TargetPanel = ({
  figures,
  fiscalYear,
  onSaved,
}: {
  figures: Figures;
  fiscalYear: number;
  onSaved: () => void;
}) => {
  const { lang, session } = useApp();
  const roles = session.claims.roles;
  const canSet = roles.includes('admin') || roles.includes('sponsor-officer');
  const [kind, setKind] = useState<'percent' | 'workers'>('percent');
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const busy = useRef(false);
  const set = figures.targetSet;
  const what = set
    ? set.percent !== undefined
      ? t(lang, 'targetPercent', { p: String(set.percent).replace('.', lang === 'id' ? ',' : '.') })
      : t(lang, 'targetWorkers', { n: count(set.workers ?? 0, lang) })
    : '';
  const save = async (event: Event) => {
    event.preventDefault();
    if (busy.current) return;
    busy.current = true;
    setMessage(undefined);
    try {
      const workers = Number(value.replace(/\./g, ''));
      await send(
        apiOf(session).PUT('/v1/regions/{code}/targets/{fiscalYear}', {
          params: { path: { code: figures.code, fiscalYear: String(fiscalYear) } },
          body: kind === 'percent' ? { percent: value.trim() } : { workers },
        }),
      );
      setMessage({ ok: true, text: t(lang, 'targetSaved') });
      onSaved();
    } catch (e) {
      setMessage({ ok: false, text: explain(lang, e) });
    } finally {
      busy.current = false;
    }
  };
  return html`<section class="card" data-testid="target-panel">
    <h2>${t(lang, 'targetTitle', { year: fiscalYear })}</h2>
    <p data-testid="target-as-set">${
      set
        ? t(lang, 'targetAsSet', { what })
        : t(lang, 'targetNone', { vulnerable: count(figures.vulnerableWorkers, lang) })
    }</p>
    <p data-testid="target-outlook">${outlookSentence(figures.outlook, lang)}</p>
    ${
      canSet &&
      html`<form class="target-form" onSubmit=${save}>
        <label>${t(lang, 'targetKind')}
          <select value=${kind} data-testid="target-kind"
            onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as 'percent' | 'workers')}>
            <option value="percent">${t(lang, 'targetKindPercent')}</option>
            <option value="workers">${t(lang, 'targetKindWorkers')}</option>
          </select>
        </label>
        <label>${t(lang, 'targetValue')}
          <input inputmode="decimal" required value=${value} data-testid="target-value"
            onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
        </label>
        <button class="button primary" type="submit" data-testid="save-target">${t(lang, 'saveTarget')}</button>
      </form>`
    }
    ${message && html`<p class=${message.ok ? 'ok' : 'error'} role=${message.ok ? 'status' : 'alert'} data-testid="target-message">${message.text}</p>`}
  </section>`;
};

/** The region's covered workers in each month of the year so far, as bars against its target. */
const TrendPanel = ({ lang, trend, target }: { lang: Lang; trend: Coverage['trend']; target: number }) => {
  const top = Math.max(target, ...trend.map((point) => point.covered), 1);
  return html`<section class="card">
    <h2>${t(lang, 'trendTitle')}</h2>
    ${
      trend.length === 0
        ? html`<p class="muted" data-testid="trend-empty">${t(lang, 'trendEmpty')}</p>`
        : html`<ul class="trend" data-testid="trend">
          ${trend.map(
            (point) => html`<li data-period=${point.period}>
              <span class="label">${monthLabel(point.period, lang)}</span>
              <span class="bar"><span style=${`width:${(point.covered * 100) / top}%`}></span></span>
              <span class="num">${count(point.covered, lang)}</span>
            </li>`,
          )}
        </ul>`
    }
  </section>`;
};

/** A BPJS regional office's view of the sponsors of its region: each commitment of the year, side by side. */
const SponsorsPanel = ({ lang, commitments }: { lang: Lang; commitments: CommitmentSummary[] }) => html`
  <section class="card">
    <h2>${t(lang, 'sponsorsSideBySide')}</h2>
    <div class="table-wrap"><table data-testid="sponsor-table">
      <thead><tr><th>${t(lang, 'sponsor')}</th><th>${t(lang, 'fiscalYear')}</th><th class="num">${t(lang, 'committed')}</th></tr></thead>
      <tbody>
        ${commitments.map(
          (c) => html`<tr data-id=${c.commitmentId}>
            <td>${c.sponsorName ?? c.sponsorId}</td>
            <td>${c.fiscalYear}</td>
            <td class="num">${rupiah(c.committed || c.budget)}</td>
          </tr>`,
        )}
      </tbody>
    </table></div>
  </section>`;

/** The fiscal year and sponsor a report was of, for the reports below it. */
export const scopeQuery = (coverage: Coverage): CoverageQuery => ({
  fiscalYear: coverage.fiscalYear,
  ...(coverage.sponsorId && { sponsorId: coverage.sponsorId }),
});

export const Overview = () => {
  const { lang, session } = useApp();
  const regional = session.claims.roles.includes('regional-office');
  const coverage = useCoverage({});
  if (!coverage.data) return html`<${Loading} lang=${lang} error=${coverage.error} />`;
  const data = coverage.data;
  return html`
    <h1 data-testid="region-title">${data.region.name} <small>${t(lang, 'fiscalYear')} ${data.fiscalYear}</small></h1>
    <${Totals} lang=${lang} figures=${data.region} />
    <${TargetPanel} figures=${data.region} fiscalYear=${data.fiscalYear} onSaved=${coverage.reload} />
    <${TrendPanel} lang=${lang} trend=${data.trend} target=${data.region.target} />
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
      ${
        regional
          ? html`<${SponsorsPanel} lang=${lang} commitments=${data.commitments} />`
          : html`<${BudgetPanel} lang=${lang} commitments=${data.commitments} />`
      }
    </div>
    ${session.claims.sponsorId && html`<${IncentivesPanel} lang=${lang} sponsorId=${session.claims.sponsorId} commitments=${data.commitments} />`}`;
};
