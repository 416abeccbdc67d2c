/**
 * The lifecycles of DOMAIN.md as explicit state machines. Each machine is a table of `state → event → next
 * state`; anything not in the table is an `IllegalTransitionError`, so a stored state can only ever move
 * along these edges. Storage adapters use `from` as the condition of their conditional write, which makes
 * a concurrent or replayed transition fail instead of applying twice.
 */
import { IllegalTransitionError } from './errors.js';

/** A finite state machine over states `S` and events `E`. */
export interface StateMachine<S extends string, E extends string> {
  readonly name: string;
  readonly initial: S;
  readonly states: readonly S[];
  readonly events: readonly E[];
  /** States no event leaves. */
  readonly terminal: readonly S[];
  /** The state after `event` in `from`, or `undefined` if the event is not allowed there. */
  next(from: S, event: E): S | undefined;
  /** The state after `event` in `from`; throws `IllegalTransitionError` if not allowed. */
  transition(from: S, event: E): S;
  /** Whether `event` is allowed in `from`. */
  can(from: S, event: E): boolean;
  /** The states `event` is allowed in: the status condition of the write that applies it. */
  sources(event: E): S[];
  /** The one state `event` leads to (from any state it is allowed in). */
  target(event: E): S;
  /** The events allowed in `from`. */
  allowedEvents(from: S): E[];
  /** Whether a value is one of this machine's states. */
  isState(value: unknown): value is S;
}

type TransitionTable<S extends string, E extends string> = {
  readonly [K in S]: Readonly<Partial<Record<E, S>>>;
};

/** Builds a state machine from its transition table. */
export function defineStateMachine<S extends string, E extends string>(definition: {
  readonly name: string;
  readonly initial: S;
  readonly states: readonly S[];
  readonly events: readonly E[];
  readonly transitions: TransitionTable<S, E>;
}): StateMachine<S, E> {
  const { name, initial, states, events, transitions } = definition;
  // hasOwn guards: states and events may come from storage or a request, and must not hit Object.prototype.
  const next = (from: S, event: E): S | undefined => {
    if (!Object.hasOwn(transitions, from)) return undefined;
    const row = transitions[from];
    return Object.hasOwn(row, event) ? row[event] : undefined;
  };
  return {
    name,
    initial,
    states,
    events,
    terminal: states.filter((state) => events.every((event) => next(state, event) === undefined)),
    next,
    can: (from, event) => next(from, event) !== undefined,
    sources: (event) => states.filter((state) => next(state, event) !== undefined),
    target(event) {
      const targets = new Set(states.map((state) => next(state, event)).filter((to) => to !== undefined));
      const [to] = targets;
      if (targets.size !== 1 || to === undefined) {
        throw new Error(`${name}: ${event} leads to ${targets.size} states, not one`);
      }
      return to;
    },
    transition(from, event) {
      const to = next(from, event);
      if (to === undefined) throw new IllegalTransitionError(name, from, event);
      return to;
    },
    allowedEvents: (from) => events.filter((event) => next(from, event) !== undefined),
    isState: (value): value is S =>
      typeof value === 'string' && (states as readonly string[]).includes(value),
  };
}

/**
 * States of a commitment: drafted, approved (active), closed at year end; or a draft refused or taken back.
 * `activating` is the moment between the approval and the last allocation written.
 */
export const COMMITMENT_STATES = [
  'draft',
  'active',
  'closed',
  'rejected',
  'withdrawn',
  'activating',
] as const;
/** A commitment's state. */
export type CommitmentState = (typeof COMMITMENT_STATES)[number];
/** Events of a commitment. */
export const COMMITMENT_EVENTS = [
  'approve',
  'resume-approval',
  'activate',
  'close',
  'reject',
  'withdraw',
] as const;
/** An event of a commitment. */
export type CommitmentEvent = (typeof COMMITMENT_EVENTS)[number];

/**
 * Commitment: Draft → Activating (approved by someone other than the drafter; the allocations are being
 * written, and the same approver may resume) → Active → Closed (unspent money released). A draft may instead
 * be rejected (by an approver, with a reason) or withdrawn (by its drafter); both are final and neither moves
 * money, since a draft has no allocations yet.
 */
export const commitmentMachine = defineStateMachine<CommitmentState, CommitmentEvent>({
  name: 'commitment',
  initial: 'draft',
  states: COMMITMENT_STATES,
  events: COMMITMENT_EVENTS,
  transitions: {
    draft: { approve: 'activating', reject: 'rejected', withdraw: 'withdrawn' },
    activating: { 'resume-approval': 'activating', activate: 'active' },
    active: { close: 'closed' },
    closed: {},
    rejected: {},
    withdrawn: {},
  },
});

/** The next state of a commitment; throws `IllegalTransitionError` if the event is not allowed. */
export function transitionCommitment(from: CommitmentState, event: CommitmentEvent): CommitmentState {
  return commitmentMachine.transition(from, event);
}

/** States of an enrollment: covered, or ended for one of three reasons. */
export const ENROLLMENT_STATES = ['active', 'terminated', 'expired', 'lapsed'] as const;
/** An enrollment's state. */
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];
/** Events of an enrollment. */
export const ENROLLMENT_EVENTS = ['terminate', 'expire', 'lapse', 'carry-over'] as const;
/** An event of an enrollment. */
export type EnrollmentEvent = (typeof ENROLLMENT_EVENTS)[number];

/**
 * Enrollment: `active` until it ends as `terminated` (by the village), `expired` (budget, age limit, fiscal
 * year over, or carried over into the sponsor's next year) or `lapsed` (three consecutive unpaid months). A
 * termination names a future period, so until then the coverage may still end earlier: terminated again from
 * an earlier period, or expired or lapsed by the roll. Covering the worker again is a new enrollment.
 */
export const enrollmentMachine = defineStateMachine<EnrollmentState, EnrollmentEvent>({
  name: 'enrollment',
  initial: 'active',
  states: ENROLLMENT_STATES,
  events: ENROLLMENT_EVENTS,
  transitions: {
    active: { terminate: 'terminated', expire: 'expired', lapse: 'lapsed', 'carry-over': 'expired' },
    terminated: { terminate: 'terminated', expire: 'expired', lapse: 'lapsed' },
    expired: {},
    lapsed: {},
  },
});

/** The next state of an enrollment; throws `IllegalTransitionError` if the event is not allowed. */
export function transitionEnrollment(from: EnrollmentState, event: EnrollmentEvent): EnrollmentState {
  return enrollmentMachine.transition(from, event);
}

/** States of an invoice. */
export const INVOICE_STATES = ['draft', 'issued', 'sent', 'acknowledged', 'paid', 'void'] as const;
/** An invoice's state. */
export type InvoiceState = (typeof INVOICE_STATES)[number];
/** Events of an invoice. */
export const INVOICE_EVENTS = ['issue', 'send', 'acknowledge', 'pay', 'void'] as const;
/** An event of an invoice. */
export type InvoiceEvent = (typeof INVOICE_EVENTS)[number];

/**
 * Invoice: Draft → Issued (gets its gap-free number) → Sent → Acknowledged (payment code) → Paid (answers may
 * arrive out of order, so Issued and Sent may also move straight on); an issued,
 * sent or acknowledged invoice can be voided by a credit note. A draft has no number, so it is never voided.
 */
export const invoiceMachine = defineStateMachine<InvoiceState, InvoiceEvent>({
  name: 'invoice',
  initial: 'draft',
  states: INVOICE_STATES,
  events: INVOICE_EVENTS,
  transitions: {
    draft: { issue: 'issued' },
    // BPJS billing may answer before the send is recorded, and a payment may overtake its acknowledgement.
    issued: { send: 'sent', acknowledge: 'acknowledged', pay: 'paid', void: 'void' },
    sent: { acknowledge: 'acknowledged', pay: 'paid', void: 'void' },
    acknowledged: { pay: 'paid', void: 'void' },
    paid: {},
    void: {},
  },
});

/** The states from which `event` may move an invoice (the condition of its conditional write). */
export function invoiceStatesAllowing(event: InvoiceEvent): InvoiceState[] {
  return INVOICE_STATES.filter((state) => invoiceMachine.can(state, event));
}

/** The next state of an invoice; throws `IllegalTransitionError` if the event is not allowed. */
export function transitionInvoice(from: InvoiceState, event: InvoiceEvent): InvoiceState {
  return invoiceMachine.transition(from, event);
}

/** States of a reallocation: proposed, then approved (quota moved), rejected or withdrawn (nothing moved). */
export const REALLOCATION_STATES = ['proposed', 'approved', 'rejected', 'withdrawn'] as const;
/** A reallocation's state. */
export type ReallocationState = (typeof REALLOCATION_STATES)[number];
/** Events of a reallocation. */
export const REALLOCATION_EVENTS = ['approve', 'reject', 'withdraw'] as const;
/** An event of a reallocation. */
export type ReallocationEvent = (typeof REALLOCATION_EVENTS)[number];

/**
 * Reallocation: `proposed` → `approved` (by someone other than the proposer; moves the quota), `rejected`
 * (by an approver, with a reason) or `withdrawn` (by the proposer). Every outcome is final.
 */
export const reallocationMachine = defineStateMachine<ReallocationState, ReallocationEvent>({
  name: 'reallocation',
  initial: 'proposed',
  states: REALLOCATION_STATES,
  events: REALLOCATION_EVENTS,
  transitions: {
    proposed: { approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' },
    approved: {},
    rejected: {},
    withdrawn: {},
  },
});

/** The states from which `event` may move a commitment (the condition of its conditional write). */
export function commitmentStatesAllowing(event: CommitmentEvent): CommitmentState[] {
  return COMMITMENT_STATES.filter((state) => commitmentMachine.can(state, event));
}

/** The states from which `event` may move a reallocation (the condition of its conditional write). */
export function reallocationStatesAllowing(event: ReallocationEvent): ReallocationState[] {
  return REALLOCATION_STATES.filter((state) => reallocationMachine.can(state, event));
}
