/// <reference lib="dom" />
/**
 * The collector's daily deposit page, phone-first: the partner, today's total, a deposit form (NIK with the
 * operator form's feedback, whole rupiah typed `1.000` or `1000`, the day, a receipt number made on the phone)
 * and a worker's balance. The receipt number is what makes a deposit idempotent: it stays the same until the
 * API has answered for it, so a double tap sends nothing more and a retry after a lost answer is answered
 * `replayed` ("sudah tercatat") instead of recording twice. Each deposit is sent at once; one taken without
 * signal, or whose answer never came, waits in the phone's outbox (outbox.ts) with its receipt number and is
 * sent by itself when the signal is back (the `online` event, every 30 s, or "Kirim sekarang").
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { maskNik } from '../../../core/src/nik.js';
import { dateAt, periodAt } from '../../../core/src/period.js';
import { ApiFailure, apiOf, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, parseRupiah, periodLabel, rupiah } from '../format.js';
import { t } from '../i18n.js';
import {
  addToOutbox,
  nextSend,
  type OutboxAnswer,
  type PendingDeposit,
  readOutbox,
  removeFromOutbox,
  settleOutbox,
} from '../outbox.js';
import { explain } from '../problems.js';
import { nikFeedback } from './nik-feedback.js';
import { NikField } from './nik-field.js';
import { html, Loading, useLoad } from './shared.js';

type Deposit = Schemas['Deposit'];
type Outcome = 'recorded' | 'replayed';

/** A deposit answered in this page's session, by its receipt number. */
interface Answered {
  readonly deposit: Deposit;
  readonly outcome: Outcome;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A receipt number for a deposit on `day`: the date and 8 random Crockford letters (40 bits), short enough to
 * copy onto a paper receipt, and unique among a partner's phones without a counter they would have to share.
 */
export const newReceiptNumber = (day: string): string => {
  const random = crypto.getRandomValues(new Uint8Array(8));
  return `${day.replace(/-/g, '')}-${Array.from(random, (b) => CROCKFORD[b % 32]).join('')}`;
};

export const DepositsPage = () => {
  const { lang, session } = useApp();
  const partnerId = session.claims.partnerId;
  if (!partnerId) return html`<p class="error" role="alert">${t(lang, 'noPartner')}</p>`;
  return html`<${Deposits} partnerId=${partnerId} />`;
};

/** How often the outbox is tried again while it holds deposits and the phone thinks it is online. */
const OUTBOX_RETRY_MS = 30_000;

/** An answer that may never have reached the API, or a failure of the API itself: the deposit is kept. */
const worthRetrying = (error: unknown) =>
  !(error instanceof ApiFailure) || error.problem.status >= 500 || error.problem.status === 429;

const Deposits = ({ partnerId }: { partnerId: string }) => {
  const { lang, session } = useApp();
  const collector = session.claims.sub;
  const today = dateAt(Date.now());
  const period = periodAt(Date.now());
  const partner = useLoad(`partner/${partnerId}`, (api) =>
    api.GET('/v1/partners/{partnerId}', { params: { path: { partnerId } } }),
  );
  const statement = useLoad(`statement/${partnerId}/${period}`, (api) =>
    api.GET('/v1/partners/{partnerId}/statements/{period}', { params: { path: { partnerId, period } } }),
  );
  const [answered, setAnswered] = useState<ReadonlyMap<string, Answered>>(new Map());
  const [pending, setPending] = useState(() => readOutbox(localStorage, partnerId, collector));
  const [sending, setSending] = useState(false);
  const [sendNote, setSendNote] = useState<string>();
  const inFlight = useRef(false);
  const onAnswer = useCallback(
    (answer: Answered) => {
      setAnswered((before) => new Map(before).set(answer.deposit.receiptNumber, answer));
      statement.reload();
    },
    [statement.reload],
  );
  const keep = (deposit: PendingDeposit) =>
    setPending(addToOutbox(localStorage, partnerId, collector, deposit));
  const flush = useCallback(async () => {
    const batch = nextSend(readOutbox(localStorage, partnerId, collector));
    if (inFlight.current || batch.length === 0 || !navigator.onLine) return;
    inFlight.current = true;
    setSending(true);
    try {
      const answer = await send(
        apiOf(session).POST('/v1/partners/{partnerId}/deposits', {
          params: { path: { partnerId } },
          body: {
            deposits: batch.map(({ receiptNumber, nik, amount, depositedAt }) => ({
              receiptNumber,
              nik,
              amount,
              depositedAt,
            })),
          },
        }),
      );
      const answers = answer.results.map(
        (r): OutboxAnswer =>
          r.outcome === 'refused'
            ? { receiptNumber: r.receiptNumber, outcome: 'refused', status: r.status, code: r.code }
            : { receiptNumber: r.receiptNumber, outcome: r.outcome },
      );
      setPending(settleOutbox(localStorage, partnerId, collector, answers));
      for (const r of answer.results) {
        if (r.outcome !== 'refused') onAnswer({ deposit: r.deposit, outcome: r.outcome });
      }
      setSendNote(undefined);
    } catch (error) {
      if (worthRetrying(error)) {
        setSendNote(t(lang, 'outboxStillOffline', { detail: explain(lang, error) }));
      } else {
        // The whole send refused (its body, or the collector's access): each deposit shows why and stays.
        const { status, code } = (error as ApiFailure).problem;
        const refused = batch.map(
          (d): OutboxAnswer => ({ receiptNumber: d.receiptNumber, outcome: 'refused', status, code }),
        );
        setPending(settleOutbox(localStorage, partnerId, collector, refused));
      }
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  }, [lang, partnerId, collector, session, onAnswer]);
  useEffect(() => {
    void flush();
    const retry = () => void flush();
    window.addEventListener('online', retry);
    const timer = setInterval(retry, OUTBOX_RETRY_MS);
    return () => {
      window.removeEventListener('online', retry);
      clearInterval(timer);
    };
  }, [flush]);
  if (!partner.data) return html`<${Loading} lang=${lang} error=${partner.error} />`;
  // A receipt answered twice (a retry) counts once: the map holds one entry per receipt number.
  const todays = [...answered.values()].filter((a) => a.deposit.depositedAt === today);
  const total = todays.reduce((sum, a) => sum + a.deposit.amount, 0);
  return html`
    <h1 data-testid="deposits-title">${t(lang, 'depositsTitle')} <small>${partner.data.name}</small></h1>
    <div class="card">
      <p data-testid="today-total"><strong>${t(lang, 'depositsToday', { amount: rupiah(total) })}</strong></p>
      ${
        statement.data &&
        html`<p class="muted" data-testid="month-collected">${t(lang, 'depositsMonth', {
          period: periodLabel(period, lang),
          amount: rupiah(statement.data.collected),
          n: count(statement.data.deposits, lang),
        })}</p>`
      }
    </div>
    <${DepositForm} partnerId=${partnerId} today=${today} onAnswer=${onAnswer} onKeep=${keep} />
    <${Outbox} pending=${pending} sending=${sending} note=${sendNote} onSend=${flush} onRemove=${(
      receipt: string,
    ) => setPending(removeFromOutbox(localStorage, partnerId, collector, receipt))} />
    <${SessionDeposits} answered=${[...answered.values()].reverse()} />
    <${BalanceLookup} partnerId=${partnerId} />`;
};

const DepositForm = ({
  partnerId,
  today,
  onAnswer,
  onKeep,
}: {
  partnerId: string;
  today: string;
  onAnswer: (answer: Answered) => void;
  /** Keeps a deposit on the phone, to be sent when the signal is back. */
  onKeep: (deposit: PendingDeposit) => void;
}) => {
  const { lang, session } = useApp();
  const [nik, setNik] = useState('');
  const [amountText, setAmountText] = useState('');
  const [day, setDay] = useState(today);
  const [receipt, setReceipt] = useState(() => newReceiptNumber(today));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const inFlight = useRef(false);
  const feedback = useMemo(() => nikFeedback(lang, nik, day.slice(0, 7)), [lang, nik, day]);
  const amount = parseRupiah(amountText);
  const amountWrong = amountText.trim() !== '' && amount === undefined;
  const ready = Boolean(feedback?.ok) && amount !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(day);
  const edit = (set: (value: string) => void) => (e: Event) => {
    set((e.target as HTMLInputElement).value);
    setOutcome(undefined);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (inFlight.current || !ready || amount === undefined) return;
    const taken: PendingDeposit = {
      receiptNumber: receipt.trim(),
      nik: nik.trim(),
      amount,
      depositedAt: day,
      takenAt: new Date().toISOString(),
    };
    const keepIt = (detail?: string) => {
      onKeep(taken);
      const words = { amount: rupiah(amount), nik: maskNik(taken.nik), receipt: taken.receiptNumber };
      setOutcome({ ok: true, text: `${t(lang, 'depositKept', words)}${detail ? ` (${detail})` : ''}` });
      setNik('');
      setAmountText('');
      setReceipt(newReceiptNumber(day));
    };
    if (!navigator.onLine) {
      keepIt();
      return;
    }
    inFlight.current = true;
    setBusy(true);
    try {
      // No Idempotency-Key: the receipt number is this deposit's key, and the API answers a retry of it as
      // `replayed`, where a replayed Idempotency-Key would repeat the first answer (`recorded`).
      const answer = await send(
        apiOf(session).POST('/v1/partners/{partnerId}/deposits', {
          params: { path: { partnerId } },
          body: {
            receiptNumber: taken.receiptNumber,
            nik: taken.nik,
            amount,
            depositedAt: day,
          },
        }),
      );
      const result = answer.results[0];
      if (!result) return;
      if (result.outcome === 'refused') {
        setOutcome({
          ok: false,
          text: explain(lang, new ApiFailure({ status: result.status, code: result.code })),
        });
        return;
      }
      const words = { amount: rupiah(result.deposit.amount), nik: result.deposit.nikMasked };
      setOutcome({
        ok: true,
        text: t(lang, result.outcome === 'recorded' ? 'depositRecorded' : 'depositReplayed', words),
      });
      onAnswer({ deposit: result.deposit, outcome: result.outcome });
      setNik('');
      setAmountText('');
      setReceipt(newReceiptNumber(day));
    } catch (error) {
      // An answer that never came may still have been recorded: the outbox sends the same receipt number again.
      if (worthRetrying(error)) keepIt(explain(lang, error));
      else setOutcome({ ok: false, text: explain(lang, error) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return html`<form class="card form" onSubmit=${submit} data-testid="deposit-form" novalidate>
    <${NikField} id="deposit-nik" lang=${lang} value=${nik} feedback=${feedback} onInput=${edit(setNik)} />
    <label for="deposit-amount">${t(lang, 'depositAmount')}</label>
    <input id="deposit-amount" name="amount" inputmode="numeric" autocomplete="off" required
      value=${amountText} onInput=${edit(setAmountText)} aria-describedby="deposit-amount-help"
      aria-invalid=${String(amountWrong)} data-testid="deposit-amount" />
    <p id="deposit-amount-help" class=${amountWrong ? 'error' : 'muted'} aria-live="polite">
      ${amountWrong ? t(lang, 'depositAmountWrong') : amount !== undefined ? rupiah(amount) : t(lang, 'depositAmountHelp')}
    </p>
    <label for="deposit-day">${t(lang, 'depositDate')}</label>
    <input id="deposit-day" name="day" type="date" required max=${today} value=${day} onInput=${edit(setDay)} data-testid="deposit-day" />
    <label for="deposit-receipt">${t(lang, 'receiptNumber')}</label>
    <input id="deposit-receipt" name="receipt" autocomplete="off" maxlength="64" required value=${receipt}
      onInput=${edit(setReceipt)} aria-describedby="deposit-receipt-help" data-testid="deposit-receipt" />
    <p id="deposit-receipt-help" class="muted">${t(lang, 'receiptHelp')}</p>
    <button class="button primary" type="submit" disabled=${busy || !ready} data-testid="deposit-submit">
      ${busy ? t(lang, 'depositSending') : t(lang, 'depositSubmit')}
    </button>
    ${
      outcome &&
      html`<p class=${outcome.ok ? 'ok' : 'error'} role=${outcome.ok ? 'status' : 'alert'} data-testid="deposit-outcome">${outcome.text}</p>`
    }
  </form>`;
};

/** The deposits kept on the phone: waiting for signal, or refused by the API with the reason. */
const Outbox = ({
  pending,
  sending,
  note,
  onSend,
  onRemove,
}: {
  pending: readonly PendingDeposit[];
  sending: boolean;
  note: string | undefined;
  onSend: () => void;
  onRemove: (receiptNumber: string) => void;
}) => {
  const { lang } = useApp();
  if (pending.length === 0) return null;
  const waiting = pending.filter((d) => !d.refused);
  const refused = pending.length - waiting.length;
  const reason = (refusal: NonNullable<PendingDeposit['refused']>) => explain(lang, new ApiFailure(refusal));
  const state = (d: PendingDeposit) =>
    d.refused
      ? html`<span class="error">${t(lang, 'outboxRefused', { reason: reason(d.refused) })}</span> <button class="button" type="button" onClick=${() => onRemove(d.receiptNumber)}>${t(lang, 'outboxRemove')}</button>`
      : html`<span class="muted">${t(lang, 'outboxWaiting')}</span>`;
  return html`<section class="card" aria-labelledby="outbox-title" data-testid="outbox">
    <h2 id="outbox-title">${t(lang, 'outboxTitle')}</h2>
    ${
      waiting.length > 0 &&
      html`<p data-testid="outbox-summary">${t(lang, 'outboxSummary', {
        n: count(waiting.length, lang),
        amount: rupiah(waiting.reduce((sum, d) => sum + d.amount, 0)),
      })}</p>`
    }
    ${refused > 0 && html`<p class="error">${t(lang, 'outboxRefusedSummary', { n: count(refused, lang) })}</p>`}
    <ul class="deposits">
      ${pending.map(
        (d) => html`<li key=${d.receiptNumber} data-testid="outbox-deposit">
          <strong>${rupiah(d.amount)}</strong> · ${maskNik(d.nik)} · ${d.depositedAt} · ${d.receiptNumber} · ${state(d)}
        </li>`,
      )}
    </ul>
    ${
      waiting.length > 0 &&
      html`<button class="button primary" type="button" disabled=${sending} onClick=${onSend} data-testid="outbox-send">
      ${sending ? t(lang, 'outboxSending') : t(lang, 'outboxSend')}
    </button>`
    }
    ${note && html`<p class="muted" role="status" data-testid="outbox-note">${note}</p>`}
  </section>`;
};

/** The deposits answered on this page, newest first, each once whatever the number of retries. */
const SessionDeposits = ({ answered }: { answered: readonly Answered[] }) => {
  const { lang } = useApp();
  return html`<section class="card" aria-labelledby="session-deposits-title">
    <h2 id="session-deposits-title">${t(lang, 'sessionDeposits')}</h2>
    ${
      answered.length === 0
        ? html`<p class="muted">${t(lang, 'noSessionDeposits')}</p>`
        : html`<ul class="deposits" data-testid="session-deposits">
            ${answered.map(
              ({ deposit, outcome }) => html`<li key=${deposit.receiptNumber} data-testid="session-deposit">
                <strong>${rupiah(deposit.amount)}</strong> · ${deposit.nikMasked} · ${deposit.depositedAt} · ${deposit.receiptNumber} · <span class="ok">${t(lang, `outcome.${outcome}`)}</span>
              </li>`,
            )}
          </ul>`
    }
  </section>`;
};

const BalanceLookup = ({ partnerId }: { partnerId: string }) => {
  const { lang, session } = useApp();
  const [nik, setNik] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string }>();
  const feedback = useMemo(() => nikFeedback(lang, nik, periodAt(Date.now())), [lang, nik]);
  const lookUp = async (e: Event) => {
    e.preventDefault();
    if (busy || !feedback?.ok) return;
    setBusy(true);
    try {
      // The NIK goes in the body, never in the URL; a look-up changes nothing, so it needs no key.
      const found = await send(
        apiOf(session).POST('/v1/partners/{partnerId}/balances/lookup', {
          params: { path: { partnerId } },
          body: { nik: nik.trim() },
        }),
      );
      setAnswer({
        ok: true,
        text: t(lang, 'balanceOf', {
          nik: maskNik(nik.trim()),
          balance: rupiah(found.balance),
          deposited: rupiah(found.deposited),
          refunded: rupiah(found.refunded),
          applied: rupiah(found.applied),
        }),
      });
    } catch (error) {
      setAnswer({ ok: false, text: explain(lang, error) });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card form" onSubmit=${lookUp} data-testid="balance-form" novalidate>
    <h2>${t(lang, 'balanceTitle')}</h2>
    <${NikField} id="balance-nik" lang=${lang} value=${nik} feedback=${feedback} onInput=${(e: Event) => {
      setNik((e.target as HTMLInputElement).value);
      setAnswer(undefined);
    }} />
    <button class="button" type="submit" disabled=${busy || !feedback?.ok} data-testid="balance-submit">${t(lang, 'balanceLookup')}</button>
    ${
      answer &&
      html`<p class=${answer.ok ? 'ok' : 'error'} role=${answer.ok ? 'status' : 'alert'} data-testid="balance-answer">${answer.text}</p>`
    }
  </form>`;
};
