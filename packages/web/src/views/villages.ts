/// <reference lib="dom" />
/** The villages of the region in a searchable table, and one village's figures, workers and invoices. */
import { useMemo, useState } from 'preact/hooks';
import { isOperator, useApp } from '../context.js';
import { count, coverageBand, percent, rupiah } from '../format.js';
import { t } from '../i18n.js';
import { InvoiceTable, inNumberOrder } from './invoices.js';
import { scopeQuery, Totals, useCoverage } from './overview.js';
import { html, Loading, useLoad } from './shared.js';
import { Workers } from './workers.js';

export const VillageTable = () => {
  const { lang } = useApp();
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

export const VillageDetail = ({ code }: { code: string }) => {
  const { lang, session } = useApp();
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
