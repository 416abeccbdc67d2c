/// <reference lib="dom" />
/**
 * The finance officer's guided draft of a commitment: the budget rule, the region (province → regency →
 * district → villages, from the region lookup), the allocation, the benefit with its monthly premium, the
 * planner ("Rp 10.000.000 per desa menanggung 49 pekerja setahun") and a preview of the village quotas,
 * computed by the same core functions the API uses, before anything is sent.
 */
import { useRef, useState } from 'preact/hooks';
import { type AllocationMethod, allocate } from '../../../core/src/allocation.js';
import { WORKER_SEGMENTS, type WorkerSegment } from '../../../core/src/eligibility.js';
import { rupiah as asRupiah, parsePercent, percentOf, type Rupiah } from '../../../core/src/money.js';
import { fiscalYearPeriods, parsePeriod } from '../../../core/src/period.js';
import { annualPremium, benefitPackage, monthlyPremium } from '../../../core/src/premium.js';
import { type PayerShare, splitAt, splitForPeriods } from '../../../core/src/share.js';
import { apiOf, type Body, idempotencyKey, keyed, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, rupiah } from '../format.js';
import { t } from '../i18n.js';
import { explain } from '../problems.js';
import { segmentName } from './funding-options.js';
import { ListsPanel } from './lists.js';
import { html, useLoad } from './shared.js';

type RegionItem = Schemas['RegionChildList']['items'][number];

type DraftBody = Body<'draftCommitment'>;

/** The children of a region, from the region lookup. */
const useChildren = (code: string | undefined) =>
  useLoad(code && `regions/${code}`, (api) =>
    api.GET('/v1/regions/{code}/children', { params: { path: { code: code ?? '' } } }),
  );

/** One level of the region picker: the children of `parent`, or nothing while no parent is chosen. */
const RegionSelect = ({
  parent,
  label,
  value,
  onChange,
  testId,
}: {
  parent: string | undefined;
  label: string;
  value: string;
  onChange: (code: string, item: RegionItem | undefined) => void;
  testId: string;
}) => {
  const { lang } = useApp();
  const children = useChildren(parent);
  const items = children.data?.items ?? [];
  return html`<label>${label}
    <select value=${value} disabled=${!parent || items.length === 0} data-testid=${testId}
      onChange=${(e: Event) => {
        const code = (e.target as HTMLSelectElement).value;
        onChange(
          code,
          items.find((i) => i.code === code),
        );
      }}>
      <option value="">${t(lang, 'wholeRegion')}</option>
      ${items.map((i) => html`<option value=${i.code}>${i.name}${i.villages ? ` (${count(i.villages, lang)})` : ''}</option>`)}
    </select></label>`;
};

const safe = <T>(compute: () => T): T | undefined => {
  try {
    return compute();
  } catch {
    return undefined;
  }
};

export const DraftPage = () => {
  const { lang, session } = useApp();
  const sponsorId = session.claims.sponsorId ?? '';
  const [year, setYear] = useState(new Date().getFullYear() + 1);
  const [rule, setRule] = useState<'percent-of-grant' | 'fixed'>('percent-of-grant');
  const [grant, setGrant] = useState(100_000_000);
  const [percentValue, setPercent] = useState(10);
  const [amount, setAmount] = useState(0);
  const [province, setProvince] = useState('');
  const [regency, setRegency] = useState('');
  const [district, setDistrict] = useState('');
  const [regionVillages, setRegionVillages] = useState(0);
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const [jht, setJht] = useState(false);
  const [income, setIncome] = useState(1_000_000);
  const [reservation, setReservation] = useState<'fiscal-year' | 'monthly'>('fiscal-year');
  const [maxAge, setMaxAge] = useState(0);
  const [segments, setSegments] = useState<ReadonlySet<WorkerSegment>>(new Set());
  const [list, setList] = useState('');
  const [priority, setPriority] = useState(0);
  const [shareKind, setShareKind] = useState<'whole' | PayerShare['kind']>('whole');
  const [sharePercent, setSharePercent] = useState('50');
  const [shareAmount, setShareAmount] = useState(0);
  const [coFunds, setCoFunds] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const key = useRef(idempotencyKey());
  const inFlight = useRef(false);
  const region = district || regency || province;
  const districtVillages = useChildren(district || undefined);
  const listed = district ? (districtVillages.data?.items ?? []) : undefined;
  // With a fixed budget the officer may leave villages of the district out; a grant goes to every village.
  const villages = listed?.filter((v) => rule === 'percent-of-grant' || !unchecked.has(v.code));
  const villageCount = villages ? villages.length : regionVillages;
  const programs: DraftBody['benefit']['programs'] = jht ? ['JKK', 'JKM', 'JHT'] : ['JKK', 'JKM'];
  const pkg = safe(() => benefitPackage({ programs, declaredIncome: income }));
  const monthly = pkg && safe(() => monthlyPremium(pkg, parsePeriod(`${year}-01`)));
  const yearly = pkg && safe(() => annualPremium(pkg, year));
  const points = safe(() => parsePercent(String(percentValue)));
  const grantShare = points === undefined ? 0 : (safe(() => percentOf(asRupiah(grant), points)) ?? 0);
  const total = rule === 'percent-of-grant' ? grantShare * villageCount : amount;
  const method: AllocationMethod =
    rule === 'percent-of-grant' && points !== undefined
      ? { kind: 'percent-of-grant', grantPerVillage: asRupiah(grant), percent: points }
      : { kind: 'equal' };
  const quotas =
    villages && villages.length > 0
      ? safe(() =>
          allocate(
            total as Rupiah,
            method,
            villages.map((v) => v.code),
          ),
        )
      : undefined;
  const perVillage = villageCount > 0 ? Math.floor(total / villageCount) : 0;

  const changed =
    <T>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      key.current = idempotencyKey();
      setOutcome(undefined);
    };
  const numberInput = (value: number, set: (v: number) => void, id: string, label: string) =>
    html`<label for=${id}>${label}</label>
      <input id=${id} inputmode="numeric" value=${value || ''} data-testid=${id}
        onInput=${(e: Event) => changed(set)(Number((e.target as HTMLInputElement).value.replace(/\D/g, '')) || 0)} />`;
  // What part of each worker-month it pays: absent for the whole premium, as the API takes it.
  const sharePoints = safe(() => parsePercent(sharePercent));
  const share: DraftBody['share'] =
    shareKind === 'percent' && sharePoints
      ? { kind: 'percent', basisPoints: sharePoints }
      : shareKind === 'fixed' && shareAmount > 0
        ? { kind: 'fixed', amount: shareAmount }
        : shareKind === 'programs' && jht
          ? { kind: 'programs', programs: ['JKK', 'JKM'] }
          : undefined;
  // The amount of a fixed share is whole rupiah by the input's digits: the core's branded type.
  const shares = { primary: share as PayerShare | undefined };
  const shareMonthly = pkg && safe(() => splitAt(pkg, parsePeriod(`${year}-01`), shares).primary);
  // The planner counts full-year workers at this commitment's share of the premium.
  const yearlyShare = pkg && safe(() => splitForPeriods(pkg, fiscalYearPeriods(year), shares).primary);
  const workers = yearlyShare ? Math.floor(perVillage / yearlyShare) : 0;
  const ready = Boolean(region) && villageCount > 0 && total > 0 && Boolean(pkg);
  // Who the money may cover: left empty, anyone of 18 to 65.
  const eligibility: DraftBody['eligibility'] =
    maxAge > 0 || segments.size > 0 || list.trim() !== ''
      ? {
          ...(maxAge > 0 && { maxAge }),
          ...(segments.size > 0 && { segments: WORKER_SEGMENTS.filter((s) => segments.has(s)) }),
          ...(list.trim() !== '' && { list: list.trim() }),
        }
      : undefined;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (inFlight.current || !ready) return;
    inFlight.current = true;
    setBusy(true);
    const allVillages = !district || (villages?.length ?? 0) === (listed?.length ?? 0);
    const body: DraftBody = {
      sponsorId,
      fiscalYear: year,
      budget:
        rule === 'percent-of-grant'
          ? { kind: 'percent-of-grant', grantPerVillage: grant, percent: percentValue, region }
          : { kind: 'fixed', amount },
      benefit: { programs, declaredIncome: income },
      reservation,
      allocation:
        rule === 'percent-of-grant'
          ? { method: 'percent-of-grant' }
          : allVillages
            ? { method: 'equal', region }
            : { method: 'equal', villages: (villages ?? []).map((v) => v.code) },
      ...(eligibility && { eligibility }),
      ...(priority > 0 && { priority }),
      ...(share && { share }),
      ...(coFunds.trim() !== '' && { coFunds: coFunds.trim() }),
    };
    try {
      await send(apiOf(session).POST('/v1/commitments', { params: { header: keyed(key.current) }, body }));
      setOutcome({ ok: true, text: t(lang, 'drafted') });
      key.current = idempotencyKey();
    } catch (error) {
      setOutcome({ ok: false, text: explain(lang, error) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return html`<h1>${t(lang, 'newCommitment')}</h1>
    <form class="card form wide" onSubmit=${submit} data-testid="draft-form" novalidate>
      <label for="fiscal-year">${t(lang, 'fiscalYear')}</label>
      <input id="fiscal-year" inputmode="numeric" value=${year} data-testid="fiscal-year"
        onInput=${(e: Event) => changed(setYear)(Number((e.target as HTMLInputElement).value) || 0)} />
      <fieldset><legend>${t(lang, 'rule')}</legend>
        <label class="choice"><input type="radio" name="rule" checked=${rule === 'percent-of-grant'} data-testid="rule-percent"
          onChange=${() => changed(setRule)('percent-of-grant')} /> ${t(lang, 'rulePercent')}</label>
        <label class="choice"><input type="radio" name="rule" checked=${rule === 'fixed'} data-testid="rule-fixed"
          onChange=${() => changed(setRule)('fixed')} /> ${t(lang, 'ruleFixed')}</label>
        ${
          rule === 'percent-of-grant'
            ? html`${numberInput(grant, setGrant, 'grant', t(lang, 'grantPerVillage'))}
                ${numberInput(percentValue, setPercent, 'percent', t(lang, 'percentOfGrant'))}`
            : numberInput(amount, setAmount, 'amount', t(lang, 'amount'))
        }
      </fieldset>
      <fieldset><legend>${t(lang, 'region')}</legend>
        <${RegionSelect} parent="ID" label=${t(lang, 'province')} value=${province} testId="pick-province"
          onChange=${(code: string, item?: RegionItem) => {
            changed(setProvince)(code);
            setRegency('');
            setDistrict('');
            setRegionVillages(item?.villages ?? 0);
          }} />
        <${RegionSelect} parent=${province || undefined} label=${t(lang, 'regency')} value=${regency} testId="pick-regency"
          onChange=${(code: string, item?: RegionItem) => {
            changed(setRegency)(code);
            setDistrict('');
            if (item) setRegionVillages(item.villages ?? 0);
          }} />
        <${RegionSelect} parent=${regency || undefined} label=${t(lang, 'district')} value=${district} testId="pick-district"
          onChange=${(code: string, item?: RegionItem) => {
            changed(setDistrict)(code);
            setUnchecked(new Set());
            if (item) setRegionVillages(item.villages ?? 0);
          }} />
        ${
          listed &&
          html`<fieldset class="villages" tabindex="0"><legend>${t(lang, 'pickVillages')} · ${t(lang, 'selected', { n: count(villages?.length ?? 0, lang) })}</legend>
            ${listed.map(
              (
                v,
              ) => html`<label class="choice"><input type="checkbox" checked=${rule === 'percent-of-grant' || !unchecked.has(v.code)}
                disabled=${rule === 'percent-of-grant'} onChange=${() => {
                  const next = new Set(unchecked);
                  if (next.has(v.code)) next.delete(v.code);
                  else next.add(v.code);
                  changed(setUnchecked)(next);
                }} /> ${v.name}</label>`,
            )}</fieldset>`
        }
      </fieldset>
      <fieldset><legend>${t(lang, 'allocationMethod')}</legend>
        <p>${rule === 'percent-of-grant' ? t(lang, 'rulePercent') : t(lang, 'methodEqual')}</p>
        <label for="reservation">${t(lang, 'reservation')}</label>
        <select id="reservation" value=${reservation} onChange=${(e: Event) => changed(setReservation)((e.target as HTMLSelectElement).value as 'fiscal-year' | 'monthly')}>
          <option value="fiscal-year">${t(lang, 'reservationYear')}</option>
          <option value="monthly">${t(lang, 'reservationMonthly')}</option>
        </select>
      </fieldset>
      <fieldset data-testid="eligibility"><legend>${t(lang, 'eligibilityTitle')}</legend>
        <p class="help">${t(lang, 'eligibilityHelp')}</p>
        ${numberInput(maxAge, setMaxAge, 'max-age', t(lang, 'maxAge'))}
        <fieldset class="villages"><legend>${t(lang, 'segmentsOnly')}</legend>
          ${WORKER_SEGMENTS.map(
            (
              s,
            ) => html`<label class="choice"><input type="checkbox" checked=${segments.has(s)} data-segment=${s}
              onChange=${() => {
                const next = new Set(segments);
                if (next.has(s)) next.delete(s);
                else next.add(s);
                changed(setSegments)(next);
              }} /> ${segmentName(lang, s)}</label>`,
          )}
        </fieldset>
        <label for="eligibility-list">${t(lang, 'eligibilityList')}</label>
        <input id="eligibility-list" value=${list} placeholder="p3ke" data-testid="eligibility-list"
          onInput=${(e: Event) => changed(setList)((e.target as HTMLInputElement).value)} />
        ${numberInput(priority, setPriority, 'priority', t(lang, 'priorityField'))}
      </fieldset>
      <fieldset><legend>${t(lang, 'benefit')}</legend>
        <label class="choice"><input type="checkbox" checked disabled /> JKK + JKM</label>
        <label class="choice"><input type="checkbox" checked=${jht} onChange=${() => changed(setJht)(!jht)} /> JHT</label>
        ${numberInput(income, setIncome, 'income', t(lang, 'declaredIncome'))}
        <p data-testid="premium">${
          monthly && yearly
            ? t(lang, 'premiumShown', {
                programs: programs.join(' + '),
                monthly: rupiah(monthly),
                yearly: rupiah(yearly),
              })
            : '–'
        }</p>
      </fieldset>
      <fieldset data-testid="share"><legend>${t(lang, 'shareTitle')}</legend>
        <p class="help">${t(lang, 'shareHelp')}</p>
        <label for="share-kind">${t(lang, 'shareKind')}</label>
        <select id="share-kind" value=${shareKind} data-testid="share-kind"
          onChange=${(e: Event) => changed(setShareKind)((e.target as HTMLSelectElement).value as typeof shareKind)}>
          <option value="whole">${t(lang, 'shareWhole')}</option>
          <option value="percent">${t(lang, 'sharePercent')}</option>
          <option value="fixed">${t(lang, 'shareFixed')}</option>
          ${jht && html`<option value="programs">${t(lang, 'sharePrograms')}</option>`}
        </select>
        ${
          shareKind === 'percent' &&
          html`<label for="share-percent">${t(lang, 'sharePercentField')}</label>
            <input id="share-percent" inputmode="decimal" value=${sharePercent} data-testid="share-percent"
              onInput=${(e: Event) => changed(setSharePercent)((e.target as HTMLInputElement).value)} />`
        }
        ${shareKind === 'fixed' && numberInput(shareAmount, setShareAmount, 'share-amount', t(lang, 'shareAmountField'))}
        <label for="co-funds">${t(lang, 'coFundsField')}</label>
        <input id="co-funds" value=${coFunds} data-testid="co-funds"
          onInput=${(e: Event) => changed(setCoFunds)((e.target as HTMLInputElement).value)} />
        <p data-testid="share-shown">${
          monthly && shareMonthly !== undefined
            ? t(lang, 'shareShown', { share: rupiah(shareMonthly), premium: rupiah(monthly) })
            : '–'
        }</p>
      </fieldset>
      <p class="planner" data-testid="planner" aria-live="polite">${
        villageCount > 0 && yearly
          ? t(lang, 'planner', { perVillage: rupiah(perVillage), workers: count(workers, lang) })
          : ''
      }</p>
      <section aria-label=${t(lang, 'preview')}>
        <h2>${t(lang, 'preview')}</h2>
        <p data-testid="preview-total">${t(lang, 'previewTotal', { villages: count(villageCount, lang), total: rupiah(total) })}</p>
        ${
          quotas &&
          html`<div class="table-wrap"><table data-testid="preview-table">
            <thead><tr><th scope="col">${t(lang, 'village')}</th><th scope="col" class="num">${t(lang, 'allocated')}</th></tr></thead>
            <tbody>${quotas.map(
              (
                q,
              ) => html`<tr><td>${listed?.find((v) => v.code === q.villageCode)?.name ?? q.villageCode}<small>${q.villageCode}</small></td>
                <td class="num">${rupiah(q.amount)}</td></tr>`,
            )}</tbody></table></div>`
        }
      </section>
      <button class="button primary" type="submit" disabled=${busy || !ready} data-testid="draft-submit">${t(lang, 'submitDraft')}</button>
      ${outcome && html`<p class=${outcome.ok ? 'ok' : 'error'} role=${outcome.ok ? 'status' : 'alert'} data-testid="draft-outcome">${outcome.text}</p>`}
    </form>
    <${ListsPanel} lang=${lang} />`;
};
