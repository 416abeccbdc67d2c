/**
 * The status conditions of the store's writes, produced by the core's state machines: a write that applies
 * an event is conditioned on the states the machine allows it in and sets the state it leads to, so a stored
 * status only ever moves along the machine's edges and a replayed or concurrent transition fails its
 * condition instead of applying twice.
 */
import { type EnrollmentState, enrollmentMachine, type StateMachine } from '@lindung/core';

/** A status condition: `#status IN (…)` over the event's source states, and the state it leads to. */
export interface StatusCondition<S extends string> {
  readonly expression: string;
  readonly names: { readonly '#status': 'status' };
  readonly values: Record<string, S>;
  readonly from: readonly S[];
  readonly to: S;
}

/** The condition of a write applying `event`; `prefix` names its values (`:from0`, `:from1`, …). */
export const statusCondition = <S extends string, E extends string>(
  machine: StateMachine<S, E>,
  event: E,
  prefix = 'from',
): StatusCondition<S> => {
  const from = machine.sources(event);
  return {
    expression: `#status IN (${from.map((_, i) => `:${prefix}${i}`).join(', ')})`,
    names: { '#status': 'status' },
    values: Object.fromEntries(from.map((state, i) => [`:${prefix}${i}`, state])),
    from,
    to: machine.target(event),
  };
};

const ENDING = { terminated: 'terminate', expired: 'expire', lapsed: 'lapse' } as const;

/** The condition of ending a coverage in `state`. */
export const enrollmentEvent = (state: Exclude<EnrollmentState, 'active'>) =>
  statusCondition(enrollmentMachine, ENDING[state], 'running');
