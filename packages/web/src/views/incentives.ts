/// <reference lib="dom" />
/**
 * A sponsor's incentive schemes on its overview (issue 19): each scheme's terms and, once the roll after its
 * period has evaluated it, how many regions reached the threshold and were awarded. The sponsor's finance
 * officer defines a new scheme here: over one of its active commitments, by a month up to November, a share
 * of each village's target, and money or extra quota as the award (every village of the commitment).
 */
import { useRef, useState } from 'preact/hooks';
import { periodOf } from '../../../core/src/period.js';
import { apiOf, type Body, idempotencyKey, keyed, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, type Lang, percent, periodLabel, rupiah } from '../format.js';
import { t } from '../i18n.js';
import { explain } from '../problems.js';
import { html, Loading, useLoad } from './shared.js';

type IncentiveScheme = Schemas['IncentiveScheme'];
type CommitmentSummary = Schemas['CoverageReport']['commitments'][number];

const awardText = (lang: Lang, scheme: IncentiveScheme) =>
  scheme.award.kind === 'money'
    ? rupiah(scheme.award.amount)
    : t(lang, 'incentiveQuota', { n: count(scheme.award.workerYears, lang) });

/** The officer's form for a new scheme over one of the sponsor's active commitments. */
const IncentiveForm = ({
  lang,
  commitments,
  onSaved,
}: {
  lang: Lang;
  commitments: readonly CommitmentSummary[];
  onSaved: () => void;
}) => {
  const { session } = useApp();
  const active = commitments.filter((c) => c.status === 'active');
  const [commitmentId, setCommitmentId] = useState(active[0]?.commitmentId ?? '');
  const chosen = active.find((c) => c.commitmentId === commitmentId) ?? active[0];
  const [name, setName] = useState('');
  const [month, setMonth] = useState(6);
  const [threshold, setThreshold] = useState('100');
  const [kind, setKind] = useState<'money' | 'quota'>('money');
  const [amount, setAmount] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const key = useRef(idempotencyKey());
  const busy = useRef(false);
  if (!chosen) return null;
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const save = async (event: Event) => {
    event.preventDefault();
    if (busy.current) return;
    busy.current = true;
    setMessage(undefined);
    const whole = Number(amount.replace(/\./g, ''));
    const body: Body<'createIncentive'> = {
      commitmentId: chosen.commitmentId,
      name: name.trim(),
      period: periodOf(chosen.fiscalYear, month),
      threshold: threshold.trim(),
      award: kind === 'money' ? { kind, amount: whole } : { kind, workerYears: whole },
    };
    try {
      await send(apiOf(session).POST('/v1/incentives', { params: { header: keyed(key.current) }, body }));
      key.current = idempotencyKey();
      setName(''); // a second scheme needs a name of its own: no double submission by a second click
      setMessage({ ok: true, text: t(lang, 'incentiveSaved') });
      onSaved();
    } catch (error) {
      setMessage({ ok: false, text: explain(lang, error) });
    } finally {
      busy.current = false;
    }
  };
  return html`<form class="target-form" onSubmit=${save} data-testid="incentive-form">
    ${
      active.length > 1 &&
      html`<label>${t(lang, 'commitment')}
        <select value=${chosen.commitmentId} onChange=${(e: Event) => setCommitmentId(value(e))}>
          ${active.map((c) => html`<option value=${c.commitmentId}>${c.fiscalYear} · ${rupiah(c.committed || c.budget)}</option>`)}
        </select></label>`
    }
    <label>${t(lang, 'incentiveName')}
      <input required maxlength="200" value=${name} data-testid="incentive-name" onInput=${(e: Event) => setName(value(e))} />
    </label>
    <label>${t(lang, 'incentiveBy')}
      <select value=${month} data-testid="incentive-period" onChange=${(e: Event) => setMonth(Number(value(e)))}>
        ${Array.from({ length: 11 }, (_, i) => i + 1).map(
          (m) => html`<option value=${m}>${periodLabel(periodOf(chosen.fiscalYear, m), lang)}</option>`,
        )}
      </select>
    </label>
    <label>${t(lang, 'incentiveThresholdField')}
      <input required inputmode="decimal" value=${threshold} data-testid="incentive-threshold"
        onInput=${(e: Event) => setThreshold(value(e))} />
    </label>
    <label>${t(lang, 'incentiveAward')}
      <select value=${kind} data-testid="incentive-kind" onChange=${(e: Event) => setKind(value(e) as 'money' | 'quota')}>
        <option value="money">${t(lang, 'incentiveKindMoney')}</option>
        <option value="quota">${t(lang, 'incentiveKindQuota')}</option>
      </select>
    </label>
    <label>${kind === 'money' ? t(lang, 'incentiveAmount') : t(lang, 'incentiveWorkerYears')}
      <input required inputmode="numeric" value=${amount} data-testid="incentive-amount"
        onInput=${(e: Event) => setAmount(value(e))} />
    </label>
    <button class="button primary" type="submit" data-testid="incentive-save">${t(lang, 'incentiveCreate')}</button>
    ${message && html`<p class=${message.ok ? 'ok' : 'error'} role=${message.ok ? 'status' : 'alert'} data-testid="incentive-message">${message.text}</p>`}
  </form>`;
};

/** A sponsor's incentive schemes: terms, and once evaluated, how many regions reached them and were paid. */
export const IncentivesPanel = ({
  lang,
  sponsorId,
  commitments,
}: {
  lang: Lang;
  sponsorId: string;
  commitments: readonly CommitmentSummary[];
}) => {
  const { session } = useApp();
  const schemes = useLoad(`incentives/${sponsorId}`, (api) =>
    api.GET('/v1/sponsors/{id}/incentives', { params: { path: { id: sponsorId } } }),
  );
  if (!schemes.data) return html`<${Loading} lang=${lang} error=${schemes.error} />`;
  const canCreate = session.claims.roles.includes('sponsor-officer');
  return html`<section class="card" data-testid="incentives-panel">
    <h2>${t(lang, 'incentivesTitle')}</h2>
    ${
      schemes.data.items.length === 0
        ? html`<p>${t(lang, 'incentivesNone')}</p>`
        : html`<div class="table-wrap"><table data-testid="incentive-table">
          <thead><tr>
            <th>${t(lang, 'incentiveScheme')}</th><th>${t(lang, 'incentiveBy')}</th>
            <th class="num">${t(lang, 'incentiveThreshold')}</th><th>${t(lang, 'incentiveAward')}</th>
            <th>${t(lang, 'incentiveOutcome')}</th>
          </tr></thead>
          <tbody>
            ${schemes.data.items.map(
              (s) => html`<tr data-id=${s.id}>
                <td>${s.name}</td>
                <td>${periodLabel(s.period, lang)}</td>
                <td class="num">${percent(s.threshold, lang)}</td>
                <td>${awardText(lang, s)}</td>
                <td data-testid="incentive-outcome">${
                  s.outcome
                    ? t(lang, 'incentiveResult', {
                        reached: count(s.outcome.reached, lang),
                        awarded: count(s.outcome.awarded, lang),
                        unfunded: count(s.outcome.unfunded, lang),
                      })
                    : t(lang, 'incentivePending')
                }</td>
              </tr>`,
            )}
          </tbody>
        </table></div>`
    }
    ${canCreate && html`<${IncentiveForm} lang=${lang} commitments=${commitments} onSaved=${schemes.reload} />`}
  </section>`;
};
