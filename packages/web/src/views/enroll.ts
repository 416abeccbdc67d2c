/// <reference lib="dom" />
/**
 * The village operator's enrollment form, phone-first: NIK with feedback as it is typed, name, segment, start
 * month. The commitment is chosen automatically by priority unless the operator picks one; once the NIK is
 * valid, the form shows which of the village's commitments can pay for the worker and why.
 * One submission is one `Idempotency-Key`: a double click or a retry sends the same key (and a second click
 * while the first runs sends nothing), so a worker is never enrolled twice; the key changes only once the
 * form changes or has succeeded. Refusals are explained in plain words and change nothing.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiOf, idempotencyKey, keyed, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, periodLabel, rupiah } from '../format.js';
import { t } from '../i18n.js';
import { explain } from '../problems.js';
import {
  FundingPanel,
  SEGMENTS,
  type Segment,
  segmentName,
  sponsorOf,
  useFundingOptions,
} from './funding-options.js';
import { nikFeedback } from './nik-feedback.js';
import { NikField } from './nik-field.js';
import { html, Loading, monthsOf, useLoad } from './shared.js';

type VillageCoverage = Schemas['CoverageReport'];

/** A year's premium of the common package (JKK + JKM on the lowest income), for the quota hint. */
const FULL_YEAR_PREMIUM = 12 * 16_800;

const defaultStart = (year: number) => {
  const now = new Date();
  return now.getFullYear() === year ? `${year}-${String(now.getMonth() + 1).padStart(2, '0')}` : `${year}-01`;
};

/** A village's figures per commitment (its quotas) in a fiscal year, the latest by default. */
export const useVillageQuotas = (code: string, year: number | undefined) =>
  useLoad(`coverage/${code}/${year ?? ''}`, (api) =>
    api.GET('/v1/reports/coverage', {
      params: { query: { region: code, ...(year !== undefined && { fiscalYear: year }) } },
    }),
  );

/**
 * The village's quotas in the latest fiscal year that has any (a village with no quota in the latest year may
 * have one in an earlier year); `data` is absent while that is being found out.
 */
export const useVillageYear = (code: string) => {
  const [year, setYear] = useState<number>();
  const coverage = useVillageQuotas(code, year);
  const data = coverage.data;
  const earlier = data && data.children.length === 0 && data.fiscalYears.find((y) => y < data.fiscalYear);
  useEffect(() => {
    if (earlier) setYear(earlier);
  }, [earlier]);
  return earlier ? { reload: coverage.reload } : coverage;
};

export const EnrollPage = ({ code, onEnrolled }: { code: string; onEnrolled?: () => void }) => {
  const { lang } = useApp();
  const coverage = useVillageYear(code);
  const data = coverage.data;
  if (!data) return html`<${Loading} lang=${lang} error=${coverage.error} />`;
  const commitments = data.children;
  return html`
    <h1 data-testid="enroll-title">${t(lang, 'enroll')} <small>${data.region.name} · ${data.region.code}</small></h1>
    ${
      commitments.length === 0
        ? html`<p class="muted">${t(lang, 'noCommitment')}</p>`
        : html`<${EnrollForm} key=${code} code=${code} year=${data.fiscalYear} commitments=${commitments}
            onEnrolled=${() => {
              coverage.reload();
              onEnrolled?.();
            }} />`
    }`;
};

const EnrollForm = ({
  code,
  year,
  commitments,
  onEnrolled,
}: {
  code: string;
  year: number;
  commitments: VillageCoverage['children'];
  onEnrolled: () => void;
}) => {
  const { lang, session } = useApp();
  // '' is automatic: the first commitment in priority order that takes the worker.
  const [commitmentId, setCommitmentId] = useState('');
  const [nik, setNik] = useState('');
  const [name, setName] = useState('');
  const [segment, setSegment] = useState<Segment | ''>('');
  const [generation, setGeneration] = useState(0);
  const [start, setStart] = useState(defaultStart(year));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  // The key of the submission being made; a change of the form starts a new submission.
  const key = useRef(idempotencyKey());
  const inFlight = useRef(false);
  const feedback = useMemo(() => nikFeedback(lang, nik, start), [lang, nik, start]);
  const chosen = commitments.find((c) => c.code === commitmentId);
  const worker = feedback?.ok ? { nik: nik.trim(), ...(segment && { segment }) } : undefined;
  const funding = useFundingOptions(code, start, worker, generation);
  const edit = (set: (value: string) => void) => (e: Event) => {
    set((e.target as HTMLInputElement).value);
    key.current = idempotencyKey();
    setOutcome(undefined);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (inFlight.current || !feedback?.ok) return;
    inFlight.current = true;
    setBusy(true);
    try {
      const enrolled = await send(
        apiOf(session).POST('/v1/villages/{code}/enrollments', {
          params: { path: { code }, header: keyed(key.current) },
          body: {
            ...(commitmentId && { commitmentId }),
            worker: {
              nik: nik.trim(),
              ...(name.trim() && { name: name.trim() }),
              ...(segment && { segment }),
            },
            startPeriod: start,
          },
        }),
      );
      const sponsor = sponsorOf(funding.data, enrolled.commitmentId);
      const text = t(lang, 'enrolled', {
        name: enrolled.name ?? enrolled.nikMasked,
        start: periodLabel(enrolled.startPeriod, lang),
        amount: rupiah(enrolled.reservedAmount),
      });
      setOutcome({ ok: true, text: sponsor ? `${text} ${t(lang, 'paidBy', { sponsor })}` : text });
      setNik('');
      setName('');
      setSegment('');
      setGeneration((g) => g + 1);
      key.current = idempotencyKey();
      onEnrolled();
    } catch (error) {
      setOutcome({ ok: false, text: explain(lang, error) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return html`<form class="card form" onSubmit=${submit} data-testid="enroll-form" novalidate>
    <label>${t(lang, 'commitment')}
      <select value=${commitmentId} onChange=${edit(setCommitmentId)} data-testid="commitment">
        <option value="">${t(lang, 'automatic')}</option>
        ${commitments.map((c) => html`<option value=${c.code}>…${c.code.slice(-6)} · ${rupiah(c.remaining)}</option>`)}
      </select></label>
    ${
      chosen &&
      html`<p class="muted" data-testid="quota-left">${t(lang, 'quotaLeft', {
        amount: rupiah(chosen.remaining),
        workers: count(Math.floor(chosen.remaining / FULL_YEAR_PREMIUM), lang),
      })}</p>`
    }
    <${NikField} id="nik" lang=${lang} value=${nik} feedback=${feedback} onInput=${edit(setNik)} />
    <label for="worker-name">${t(lang, 'name')}</label>
    <input id="worker-name" name="name" autocomplete="off" maxlength="200" value=${name} onInput=${edit(setName)} data-testid="worker-name" />
    <label for="segment">${t(lang, 'segment')}</label>
    <select id="segment" value=${segment} onChange=${edit((v) => setSegment(v as Segment | ''))} data-testid="segment">
      <option value="">${t(lang, 'segmentNone')}</option>
      ${SEGMENTS.map((s) => html`<option value=${s}>${segmentName(lang, s)}</option>`)}
    </select>
    <label for="start">${t(lang, 'startMonth')}</label>
    <select id="start" value=${start} onChange=${edit(setStart)} data-testid="start-month">
      ${monthsOf(year).map((p) => html`<option value=${p}>${periodLabel(p, lang)}</option>`)}
    </select>
    <${FundingPanel} data=${worker && funding.data} automatic=${commitmentId === ''} />
    <button class="button primary" type="submit" disabled=${busy || !feedback?.ok} data-testid="enroll-submit">
      ${busy ? t(lang, 'enrolling') : t(lang, 'enrollButton')}
    </button>
    ${
      outcome &&
      html`<p class=${outcome.ok ? 'ok' : 'error'} role=${outcome.ok ? 'status' : 'alert'} data-testid="enroll-outcome">${outcome.text}</p>`
    }
  </form>`;
};
