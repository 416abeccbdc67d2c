import { describe, expect, it } from 'vitest';
import {
  addToOutbox,
  nextSend,
  OUTBOX_BATCH,
  type OutboxStorage,
  type PendingDeposit,
  readOutbox,
  removeFromOutbox,
  settleOutbox,
} from '../../../packages/web/src/outbox.js';

/** A Map-backed stand-in for the phone's localStorage. */
const memoryStorage = (): OutboxStorage & { readonly items: Map<string, string> } => {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
};

const deposit = (receiptNumber: string, amount = 1_000): PendingDeposit => ({
  receiptNumber,
  nik: '5171014107900001',
  amount,
  depositedAt: '2026-12-02',
  takenAt: '2026-12-02T03:00:00.000Z',
});

describe('the collector outbox', () => {
  it('keeps deposits per partner and collector, oldest first, a receipt number once', () => {
    // Prepare
    const storage = memoryStorage();

    // Act
    addToOutbox(storage, 'P1', 'kolektor-a', deposit('R1'));
    addToOutbox(storage, 'P1', 'kolektor-a', deposit('R2', 2_000));
    addToOutbox(storage, 'P1', 'kolektor-a', deposit('R1', 5_000)); // a second tap of the same receipt
    addToOutbox(storage, 'P1', 'kolektor-b', deposit('R9'));

    // Assess
    const kept = readOutbox(storage, 'P1', 'kolektor-a');
    expect(kept.map((d) => [d.receiptNumber, d.amount])).toEqual([
      ['R1', 1_000],
      ['R2', 2_000],
    ]);
    expect(readOutbox(storage, 'P1', 'kolektor-b').map((d) => d.receiptNumber)).toEqual(['R9']);
    expect(readOutbox(storage, 'P2', 'kolektor-a')).toEqual([]);
  });

  it('lets answered deposits go, marks refused ones, keeps the unanswered and those taken meanwhile', () => {
    // Prepare
    const storage = memoryStorage();
    for (const r of ['R1', 'R2', 'R3']) addToOutbox(storage, 'P1', 'k', deposit(r));
    const sent = nextSend(readOutbox(storage, 'P1', 'k'));
    addToOutbox(storage, 'P1', 'k', deposit('R4')); // taken while the send was under way

    // Act: R1 recorded, R2 replayed (its first answer was lost), R3 refused; R4 was not in the send
    const after = settleOutbox(storage, 'P1', 'k', [
      { receiptNumber: 'R1', outcome: 'recorded' },
      { receiptNumber: 'R2', outcome: 'replayed' },
      { receiptNumber: 'R3', outcome: 'refused', status: 403, code: 'outside-area' },
    ]);

    // Assess
    expect(sent.map((d) => d.receiptNumber)).toEqual(['R1', 'R2', 'R3']);
    expect(after.map((d) => [d.receiptNumber, d.refused?.code])).toEqual([
      ['R3', 'outside-area'],
      ['R4', undefined],
    ]);
    expect(nextSend(after).map((d) => d.receiptNumber)).toEqual(['R4']); // a refused one is not sent again
    expect(removeFromOutbox(storage, 'P1', 'k', 'R3').map((d) => d.receiptNumber)).toEqual(['R4']);
    settleOutbox(storage, 'P1', 'k', [{ receiptNumber: 'R4', outcome: 'recorded' }]);
    expect(storage.items.size).toBe(0); // an empty outbox leaves nothing on the phone
  });

  it('sends at most one request worth, and ignores what it cannot read', () => {
    // Prepare
    const storage = memoryStorage();
    for (let i = 0; i < OUTBOX_BATCH + 5; i++) addToOutbox(storage, 'P1', 'k', deposit(`R${i}`));
    const broken = memoryStorage();
    broken.setItem('lindung:outbox:P1:k', '{not json');
    const odd = memoryStorage();
    odd.setItem('lindung:outbox:P1:k', JSON.stringify([deposit('R1'), { receiptNumber: 'R2' }, null]));

    // Act
    const first = nextSend(readOutbox(storage, 'P1', 'k'));

    // Assess
    expect(first).toHaveLength(OUTBOX_BATCH);
    expect(first[0]?.receiptNumber).toBe('R0');
    expect(readOutbox(broken, 'P1', 'k')).toEqual([]);
    expect(readOutbox(odd, 'P1', 'k').map((d) => d.receiptNumber)).toEqual(['R1']);
  });
});
