import {
  COMMITMENT_EVENTS,
  COMMITMENT_STATES,
  commitmentMachine,
  commitmentStatesAllowing,
  ENROLLMENT_EVENTS,
  ENROLLMENT_STATES,
  enrollmentMachine,
  IllegalTransitionError,
  INVOICE_EVENTS,
  INVOICE_STATES,
  type InvoiceState,
  invoiceMachine,
  invoiceStatesAllowing,
  REALLOCATION_EVENTS,
  REALLOCATION_STATES,
  reallocationMachine,
  reallocationStatesAllowing,
  type StateMachine,
  transitionCommitment,
  transitionEnrollment,
  transitionInvoice,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('commitment lifecycle', () => {
  it('goes Draft → Activating → Active → Closed, the approver resuming while activating', () => {
    // Act
    const activating = transitionCommitment('draft', 'approve');
    const resumed = transitionCommitment(activating, 'resume-approval');
    const active = transitionCommitment(resumed, 'activate');
    const closed = transitionCommitment(active, 'close');

    // Assess
    expect(activating).toBe('activating');
    expect(resumed).toBe('activating');
    expect(active).toBe('active');
    expect(closed).toBe('closed');
    expect(commitmentMachine.sources('approve')).toEqual(['draft']);
    expect(commitmentMachine.target('activate')).toBe('active');
    expect(commitmentMachine.terminal).toEqual(['closed', 'rejected', 'withdrawn']);
  });

  it('ends a draft as rejected or withdrawn, and nothing leaves either', () => {
    // Act / Assess
    expect(transitionCommitment('draft', 'reject')).toBe('rejected');
    expect(transitionCommitment('draft', 'withdraw')).toBe('withdrawn');
    expect(commitmentStatesAllowing('reject')).toEqual(['draft']);
    expect(commitmentStatesAllowing('withdraw')).toEqual(['draft']);
    expect(() => transitionCommitment('active', 'reject')).toThrow(IllegalTransitionError);
    expect(() => transitionCommitment('rejected', 'approve')).toThrow(IllegalTransitionError);
  });

  it.each([
    ['draft', 'close'],
    ['active', 'approve'],
    ['active', 'activate'],
    ['closed', 'approve'],
    ['closed', 'close'],
  ] as const)('refuses %s + %s with a typed illegal-transition error', (from, event) => {
    // Act
    let error: unknown;
    try {
      transitionCommitment(from, event);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({
      code: 'illegal-transition',
      httpStatus: 409,
      machine: 'commitment',
      from,
      event,
    });
  });
});

describe('enrollment lifecycle', () => {
  it('ends as terminated, expired (or carried over) or lapsed', () => {
    // Act / Assess
    expect(transitionEnrollment('active', 'terminate')).toBe('terminated');
    expect(transitionEnrollment('active', 'expire')).toBe('expired');
    expect(transitionEnrollment('active', 'lapse')).toBe('lapsed');
    expect(transitionEnrollment('active', 'carry-over')).toBe('expired');
    expect([...enrollmentMachine.terminal].sort()).toEqual(['expired', 'lapsed']);
  });

  it('lets a termination still to come be overtaken by an earlier end, and nothing leave an expired one', () => {
    // Act / Assess
    expect(enrollmentMachine.sources('terminate')).toEqual(['active', 'terminated']);
    expect(enrollmentMachine.sources('lapse')).toEqual(['active', 'terminated']);
    expect(enrollmentMachine.sources('carry-over')).toEqual(['active']);
    expect(() => transitionEnrollment('expired', 'terminate')).toThrow(IllegalTransitionError);
  });
});

describe('invoice lifecycle', () => {
  it('goes Draft → Issued → Sent → Acknowledged → Paid', () => {
    // Act
    const states: string[] = ['draft'];
    let state: InvoiceState = 'draft';
    for (const event of ['issue', 'send', 'acknowledge', 'pay'] as const) {
      state = transitionInvoice(state, event);
      states.push(state);
    }

    // Assess
    expect(states).toEqual(['draft', 'issued', 'sent', 'acknowledged', 'paid']);
  });

  it('is voided by a credit note from issued, sent or acknowledged only', () => {
    // Act
    const voidable = INVOICE_STATES.filter((state) => invoiceMachine.can(state, 'void'));

    // Assess
    expect(voidable).toEqual(['issued', 'sent', 'acknowledged']);
    expect(() => transitionInvoice('draft', 'void')).toThrow(IllegalTransitionError);
    expect(() => transitionInvoice('paid', 'void')).toThrow(IllegalTransitionError);
  });

  it('accepts an acknowledgement or payment that overtakes the recorded send, never after payment', () => {
    // Assess
    expect(invoiceStatesAllowing('acknowledge')).toEqual(['issued', 'sent']);
    expect(invoiceStatesAllowing('pay')).toEqual(['issued', 'sent', 'acknowledged']);
    expect(() => transitionInvoice('paid', 'acknowledge')).toThrow(IllegalTransitionError);
  });

  it('refuses events that are not own properties of the table', () => {
    // Act
    const act = () => invoiceMachine.transition('draft', 'toString' as 'issue');

    // Assess
    expect(act).toThrow(IllegalTransitionError);
    expect(invoiceMachine.isState('constructor')).toBe(false);
  });
});

function neverLeavesItsStates<S extends string, E extends string>(machine: StateMachine<S, E>) {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...machine.events), { maxLength: 40 }), (events) => {
      let state = machine.initial;
      for (const event of events) {
        const allowed = machine.can(state, event);
        try {
          const next = machine.transition(state, event);
          expect(allowed).toBe(true);
          state = next;
        } catch (error) {
          // Refused: the state must not change, and the refusal must be the typed error.
          expect(allowed).toBe(false);
          expect(error).toBeInstanceOf(IllegalTransitionError);
        }
        expect(machine.isState(state)).toBe(true);
      }
      if (machine.terminal.includes(state)) expect(machine.allowedEvents(state)).toEqual([]);
    }),
  );
}

describe('reallocation lifecycle', () => {
  it('is approved, rejected or withdrawn only while proposed', () => {
    // Act / Assess
    expect(reallocationStatesAllowing('approve')).toEqual(['proposed']);
    expect(reallocationStatesAllowing('reject')).toEqual(['proposed']);
    expect(reallocationStatesAllowing('withdraw')).toEqual(['proposed']);
    expect(reallocationMachine.terminal).toEqual(['approved', 'rejected', 'withdrawn']);
  });
});

describe('state machines under random events', () => {
  it.each([
    ['commitment', commitmentMachine, COMMITMENT_STATES, COMMITMENT_EVENTS],
    ['enrollment', enrollmentMachine, ENROLLMENT_STATES, ENROLLMENT_EVENTS],
    ['invoice', invoiceMachine, INVOICE_STATES, INVOICE_EVENTS],
    ['reallocation', reallocationMachine, REALLOCATION_STATES, REALLOCATION_EVENTS],
  ] as const)('the %s machine never reaches a state outside its list', (_name, machine, states, events) => {
    // Prepare
    const generic = machine as unknown as StateMachine<string, string>;

    // Act / Assess
    expect(generic.states).toEqual(states);
    expect(generic.events).toEqual(events);
    neverLeavesItsStates(generic);
  });

  it.each([
    ['commitment', commitmentMachine],
    ['enrollment', enrollmentMachine],
    ['invoice', invoiceMachine],
    ['reallocation', reallocationMachine],
  ] as const)('every state of the %s machine is reachable from the initial state', (_name, machine) => {
    // Prepare
    const generic = machine as unknown as StateMachine<string, string>;
    const reached = new Set([generic.initial]);
    const queue = [generic.initial];

    // Act
    for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
      for (const event of generic.allowedEvents(state)) {
        const next = generic.transition(state, event);
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }

    // Assess
    expect([...reached].sort()).toEqual([...generic.states].sort());
  });
});
