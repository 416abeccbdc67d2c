/// <reference lib="dom" />
/**
 * Drafts waiting for approval, for a sponsor's approver and officer. An approver approves or rejects with a
 * reason, but never a draft of their own (the buttons say why); the drafter may withdraw it. Proposed
 * reallocations of the sponsor's active commitments are decided the same way.
 */
import { useRef, useState } from 'preact/hooks';
import { apiOf, idempotencyKey, keyed, type Schemas, send } from '../api.js';
import { useApp } from '../context.js';
import { count, rupiah } from '../format.js';
import { stateName, t } from '../i18n.js';
import { explain } from '../problems.js';
import { html, Loading, StateBadge, useLoad } from './shared.js';

type CommitmentSummary = Schemas['CommitmentSummary'];

type Action = 'approve' | 'reject' | 'withdraw';

/** Where a decision is posted: a draft commitment, or a proposed reallocation of an active one. */
type Decided = { readonly commitmentId: string; readonly reallocationId?: string };

/** Posts a decision on a draft or a proposal; resolves to its new state. */
const decide = async (
  api: ReturnType<typeof apiOf>,
  { commitmentId, reallocationId }: Decided,
  action: Action,
  reason: string,
  key: string,
): Promise<string> => {
  const header = keyed(key);
  if (reallocationId === undefined) {
    const path = { id: commitmentId };
    const answer =
      action === 'approve'
        ? api.POST('/v1/commitments/{id}/approve', { params: { path, header } })
        : action === 'reject'
          ? api.POST('/v1/commitments/{id}/reject', { params: { path, header }, body: { reason } })
          : api.POST('/v1/commitments/{id}/withdraw', { params: { path, header } });
    return (await send<{ status: string }>(answer)).status;
  }
  const path = { id: commitmentId, reallocationId };
  const answer =
    action === 'approve'
      ? api.POST('/v1/commitments/{id}/reallocations/{reallocationId}/approve', { params: { path, header } })
      : action === 'reject'
        ? api.POST('/v1/commitments/{id}/reallocations/{reallocationId}/reject', {
            params: { path, header },
            body: { reason },
          })
        : api.POST('/v1/commitments/{id}/reallocations/{reallocationId}/withdraw', {
            params: { path, header },
          });
  return (await send<{ status: string }>(answer)).status;
};

/** Approve, reject (with a reason) and withdraw buttons for one draft or proposal. */
const Decision = ({
  target,
  owner,
  onDecided,
  testId,
}: {
  target: Decided;
  owner: string;
  onDecided: (state: string) => void;
  testId: string;
}) => {
  const { lang, session } = useApp();
  const roles = session.claims.roles;
  const own = owner === session.claims.sub;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const busy = useRef(false);
  const keys = useRef({ approve: idempotencyKey(), reject: idempotencyKey(), withdraw: idempotencyKey() });
  const act = async (action: Action) => {
    if (busy.current) return;
    if (action === 'reject' && !reason.trim()) {
      setError(t(lang, 'reasonNeeded'));
      return;
    }
    busy.current = true;
    setError(undefined);
    try {
      onDecided(await decide(apiOf(session), target, action, reason.trim(), keys.current[action]));
    } catch (e) {
      setError(explain(lang, e));
    } finally {
      busy.current = false;
    }
  };
  const approver = roles.includes('sponsor-approver');
  const reasonId = `reason-${testId}`;
  const whyNot = `why-${testId}`;
  return html`<div class="decision" data-testid=${`decision-${testId}`}>
    ${
      approver &&
      html`<label for=${reasonId}>${t(lang, 'reason')}</label>
      <input id=${reasonId} value=${reason} maxlength="500" disabled=${own}
        onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)} data-testid="reject-reason" />
      <div class="buttons">
        <button class="button primary" type="button" disabled=${own} aria-describedby=${own ? whyNot : undefined}
          onClick=${() => act('approve')} data-testid="approve">${t(lang, 'approve')}</button>
        <button class="button" type="button" disabled=${own} aria-describedby=${own ? whyNot : undefined}
          onClick=${() => act('reject')} data-testid="reject">${t(lang, 'reject')}</button>
      </div>
      ${own && html`<p id=${whyNot} class="muted" data-testid="own-draft">${t(lang, 'ownDraft')}</p>`}`
    }
    ${
      roles.includes('sponsor-officer') &&
      (own
        ? html`<button class="button" type="button" onClick=${() => act('withdraw')} data-testid="withdraw">${t(lang, 'withdraw')}</button>`
        : !approver && html`<p class="muted">${t(lang, 'notDrafter')}</p>`)
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
};

const DraftCard = ({ draft, onDecided }: { draft: CommitmentSummary; onDecided: () => void }) => {
  const { lang } = useApp();
  const [decided, setDecided] = useState<string>();
  const funding = draft.funding as {
    kind?: string;
    grantPerVillage?: number;
    percent?: number;
    region?: string;
  };
  return html`<article class="card" data-testid="draft" data-id=${draft.id}>
    <h2>${t(lang, 'commitment')} ${draft.fiscalYear} · ${rupiah(draft.budget)}</h2>
    <dl class="facts">
      <dt>${t(lang, 'villages')}</dt><dd data-testid="draft-villages">${count(draft.villages, lang)}</dd>
      <dt>${t(lang, 'rule')}</dt><dd>${
        funding.kind === 'percent-of-grant'
          ? `${funding.percent} % × ${rupiah(funding.grantPerVillage ?? 0)} · ${funding.region ?? ''}`
          : t(lang, 'ruleFixed')
      }</dd>
      <dt>${t(lang, 'benefit')}</dt><dd>${draft.benefit.programs.join(' + ')} · ${rupiah(draft.benefit.declaredIncome)}</dd>
      <dt>${t(lang, 'status')}</dt><dd><${StateBadge} lang=${lang} state=${decided ?? draft.status} /></dd>
    </dl>
    <p class="muted">${t(lang, 'draftedBy', { who: draft.draftedBy })}</p>
    ${
      decided
        ? html`<p class="ok" role="status" data-testid="decided">${t(lang, 'decided', { state: stateName(lang, decided) })}</p>`
        : html`<${Decision} target=${{ commitmentId: draft.id }} owner=${draft.draftedBy} testId=${draft.id}
            onDecided=${(state: string) => {
              setDecided(state);
              onDecided();
            }} />`
    }
  </article>`;
};

const Proposals = ({ commitmentId }: { commitmentId: string }) => {
  const { lang } = useApp();
  const list = useLoad(`reallocations/${commitmentId}`, (api) =>
    api.GET('/v1/commitments/{id}/reallocations', {
      params: { path: { id: commitmentId }, query: { limit: 100 } },
    }),
  );
  const proposed = (list.data?.items ?? []).filter((r) => r.status === 'proposed');
  if (proposed.length === 0) return null;
  return html`${proposed.map(
    (r) => html`<article class="card" data-testid="proposal">
      <h2>${t(lang, 'state.proposed')} · ${rupiah(r.total)}</h2>
      <ul>${r.moves.map((m) => html`<li>${m.from} → ${m.to}: ${rupiah(m.amount)}</li>`)}</ul>
      ${r.reason && html`<p>${r.reason}</p>`}
      <${Decision} target=${{ commitmentId, reallocationId: r.id }} owner=${r.proposedBy}
        testId=${r.id} onDecided=${() => list.reload()} />
    </article>`,
  )}`;
};

export const ApprovalsPage = () => {
  const { lang, session } = useApp();
  const sponsorId = session.claims.sponsorId ?? '';
  const path = { id: sponsorId };
  const drafts = useLoad(`commitments/${sponsorId}/draft`, (api) =>
    api.GET('/v1/sponsors/{id}/commitments', { params: { path, query: { status: 'draft' } } }),
  );
  const active = useLoad(`commitments/${sponsorId}/active`, (api) =>
    api.GET('/v1/sponsors/{id}/commitments', { params: { path, query: { status: 'active' } } }),
  );
  // Decided cards stay on screen with their outcome; the list itself is read again on the next visit.
  const [, setDecisions] = useState(0);
  return html`
    <h1>${t(lang, 'approvals')}</h1>
    <h2>${t(lang, 'draftsWaiting')}</h2>
    ${
      drafts.data
        ? drafts.data.items.length === 0
          ? html`<p class="muted" data-testid="no-drafts">${t(lang, 'noDrafts')}</p>`
          : drafts.data.items.map(
              (d) =>
                html`<${DraftCard} key=${d.id} draft=${d} onDecided=${() => setDecisions((n) => n + 1)} />`,
            )
        : html`<${Loading} lang=${lang} error=${drafts.error} />`
    }
    ${(active.data?.items ?? []).map((c) => html`<${Proposals} key=${c.id} commitmentId=${c.id} />`)}`;
};
