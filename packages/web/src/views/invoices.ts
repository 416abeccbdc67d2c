/// <reference lib="dom" />
/**
 * Invoices of a sponsor (or of the operator's village) by period and state, in number order, with village
 * names, and as a CSV download: what BPJS billing and auditors read.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiOf, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, periodLabel, rupiah } from '../format.js';
import { stateName, t } from '../i18n.js';
import { downloadCsv, html, Loading, StateBadge, useLoad } from './shared.js';

export type Invoice = Schemas['Invoice'];

const INVOICE_STATES = ['draft', 'issued', 'sent', 'acknowledged', 'paid', 'void'];

/** A draft waits for its number: shown as a dash, sorted after every numbered invoice. */
const NO_NUMBER = '–';

/** Village names by code, read from the region lookup one district at a time. */
export const useVillageNames = (codes: readonly string[]): ReadonlyMap<string, string> => {
  const { session } = useApp();
  // One lookup per district; a sponsor's invoices rarely span more than a few dozen.
  const joined = [...new Set(codes.map((c) => c.split('.').slice(0, 3).join('.')))].sort().join(',');
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (!joined) return;
    let live = true;
    Promise.all(
      joined
        .split(',')
        .map((district) =>
          send(
            apiOf(session).GET('/v1/regions/{code}/children', { params: { path: { code: district } } }),
          ).catch(() => ({ items: [] })),
        ),
    ).then((answers) => {
      if (live) setNames(new Map(answers.flatMap((a) => a.items.map((v) => [v.code, v.name] as const))));
    });
    return () => {
      live = false;
    };
  }, [joined, session]);
  return names;
};

export const InvoiceTable = ({ invoices }: { invoices: Invoice[] }) => {
  const { lang } = useApp();
  const names = useVillageNames(invoices.map((i) => i.villageCode));
  if (invoices.length === 0) return html`<p class="muted">${t(lang, 'noInvoices')}</p>`;
  return html`<div class="table-wrap"><table data-testid="invoice-table">
    <thead><tr><th scope="col">${t(lang, 'number')}</th><th scope="col">${t(lang, 'period')}</th><th scope="col">${t(lang, 'village')}</th>
      <th scope="col" class="num">${t(lang, 'lines')}</th><th scope="col" class="num">${t(lang, 'total')}</th><th scope="col">${t(lang, 'status')}</th></tr></thead>
    <tbody>${invoices.map(
      (i) => html`<tr data-number=${i.number}>
        <td class="mono">${i.numberText ?? NO_NUMBER}</td><td>${periodLabel(i.period, lang)}</td>
        <td><a href=${`#/village/${i.villageCode}`}>${names.get(i.villageCode) ?? i.villageCode}</a><small>${i.villageCode}</small></td>
        <td class="num">${count(i.lineCount, lang)}</td><td class="num">${rupiah(i.total)}</td>
        <td><${StateBadge} lang=${lang} state=${i.status} /></td>
      </tr>`,
    )}</tbody></table></div>`;
};

/** Sorted by invoice number (the sponsor's gap-free sequence), then period and village. */
export const inNumberOrder = (invoices: readonly Invoice[]): Invoice[] =>
  [...invoices].sort(
    (a, b) =>
      (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) ||
      a.period.localeCompare(b.period) ||
      a.villageCode.localeCompare(b.villageCode),
  );

export const InvoicesPage = ({ sponsorId, villageCode }: { sponsorId?: string; villageCode?: string }) => {
  const { lang } = useApp();
  const [state, setState] = useState('');
  const [period, setPeriod] = useState('');
  const filter = villageCode
    ? `villageCode=${villageCode}`
    : sponsorId
      ? `sponsorId=${sponsorId}`
      : undefined;
  const all = useLoad(filter, (api) =>
    api.GET('/v1/invoices', {
      params: { query: { ...(villageCode ? { villageCode } : { sponsorId }), limit: 1000 } },
    }),
  );
  const items = useMemo(() => inNumberOrder(all.data?.items ?? []), [all.data]);
  const periods = [...new Set(items.map((i) => i.period))].sort();
  const shown = items.filter((i) => (!state || i.status === state) && (!period || i.period === period));
  const names = useVillageNames(shown.map((i) => i.villageCode));
  const byState = INVOICE_STATES.map((s) => ({ s, n: items.filter((i) => i.status === s).length }));
  const download = () =>
    downloadCsv(`tagihan${period ? `-${period}` : ''}${state ? `-${state}` : ''}.csv`, [
      ['number', 'period', 'villageCode', 'village', 'lines', 'total', 'status'],
      ...shown.map((i) => [
        i.numberText ?? '',
        i.period,
        i.villageCode,
        names.get(i.villageCode) ?? '',
        i.lineCount,
        i.total,
        i.status,
      ]),
    ]);
  return html`
    <h1>${t(lang, 'invoices')}</h1>
    <div class="filters">
      <label>${t(lang, 'period')}
        <select data-testid="period-filter" value=${period} onChange=${(e: Event) => setPeriod((e.target as HTMLSelectElement).value)}>
          <option value="">–</option>
          ${periods.map((p) => html`<option value=${p}>${periodLabel(p, lang)}</option>`)}
        </select></label>
      <label>${t(lang, 'status')}
        <select data-testid="state-filter" value=${state} onChange=${(e: Event) => setState((e.target as HTMLSelectElement).value)}>
          <option value="">${t(lang, 'allStates')}</option>
          ${INVOICE_STATES.map((s) => html`<option value=${s}>${stateName(lang, s)}</option>`)}
        </select></label>
      ${byState.filter((b) => b.n > 0).map((b) => html`<span class=${`badge state-${b.s}`} data-testid=${`invoice-count-${b.s}`} data-count=${b.n}>${stateName(lang, b.s)}: ${b.n}</span>`)}
      <button class="button" type="button" onClick=${download} disabled=${shown.length === 0} data-testid="invoices-csv">${t(lang, 'downloadCsv')}</button>
    </div>
    ${all.data ? html`<${InvoiceTable} invoices=${shown} />` : html`<${Loading} lang=${lang} error=${all.error} />`}`;
};
