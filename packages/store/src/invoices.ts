/**
 * Invoices: one per village, commitment and period. The period roll drafts it in one transaction that writes
 * the invoice (no number yet) with its lines, moves the period's premiums to spent on the allocation and
 * appends the ledger entry; the numbering worker, the single writer of a sponsor's year, then issues drafts
 * in batches, each batch in one transaction that takes the next gap-free numbers. No village's roll writes
 * an item another village's roll writes. Billing answers move the invoice along its lifecycle with
 * conditional writes; voiding writes a credit note and never deletes anything.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  addMonths,
  dueDate,
  IllegalTransitionError,
  type InvoiceState,
  invoiceMachine,
  NotFoundError,
  type Period,
  periodParts,
  type Rupiah,
  ValidationError,
} from '@lindung/core';
import { batchGetAll, decodePageToken, encodePageToken, queryPages } from './client.js';
import type { Page } from './commitments.js';
import {
  allocationKey,
  creditNoteKey,
  INVOICE_SK_PREFIX,
  invoiceId,
  invoiceIndexes,
  invoiceKey,
  invoiceLinesKey,
  invoiceLinesPrefix,
  invoiceSequenceKey,
  parseInvoiceId,
} from './keys.js';
import { allocationUpdate, ledgerEntries, movesOf } from './ledger.js';
import { statusCondition } from './status.js';
import { Transaction, type TransactionAction, TransactionRefused } from './transaction.js';

/**
 * Lines per line item. The lines live in items of their own beside a small invoice header, so that the
 * billing answers, which update the header, cost one write unit however many workers the invoice pays for.
 */
export const LINES_PER_ITEM = 400;

export interface StoredInvoiceLine {
  readonly enrollmentId: string;
  readonly nik: string;
  readonly nikMasked: string;
  readonly name?: string;
  readonly premium: Rupiah;
}

/** A line as clients see it: the NIK masked. */
export type InvoiceLine = Omit<StoredInvoiceLine, 'nik'>;

export interface Invoice {
  readonly id: string;
  /** The sponsor's gap-free sequence number of the year; absent while the invoice is a draft. */
  readonly number?: number;
  /** e.g. `2027/000123`: the year and the sponsor's gap-free sequence number; absent on a draft. */
  readonly numberText?: string;
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly period: Period;
  readonly dueDate: string;
  readonly total: Rupiah;
  readonly lineCount: number;
  readonly status: InvoiceState;
  /** When the roll drafted it (and moved its money); absent on invoices issued before drafts existed. */
  readonly draftedAt?: string;
  /** When it was numbered; absent while it is a draft. */
  readonly issuedAt?: string;
  /** When the roll first handed the invoice to billing. */
  readonly sentAt?: string;
  /** When it was last handed to billing, and how many times: a resend of an unanswered invoice counts. */
  readonly lastSentAt?: string;
  readonly sendCount?: number;
  readonly paymentCode?: string;
  readonly acknowledgedAt?: string;
  readonly paidAt?: string;
  readonly paidAmount?: Rupiah;
  readonly voidedAt?: string;
  readonly creditNote?: string;
}

export interface InvoiceWithLines extends Invoice {
  readonly lines: readonly InvoiceLine[];
}

export interface InvoiceDraft {
  readonly sponsorId: string;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly period: Period;
  readonly lines: readonly StoredInvoiceLine[];
  readonly total: Rupiah;
  /** How `total` leaves the allocation: from what was reserved, and from the unreserved budget. */
  readonly fromReserved: Rupiah;
  readonly fromAvailable: Rupiah;
}

export interface InvoiceFilter {
  readonly sponsorId?: string;
  readonly villageCode?: string;
  readonly period?: string;
  readonly status?: InvoiceState;
}

const strip = (item: Record<string, unknown>): Invoice => {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, entity, lines, ...rest } = item;
  return rest as unknown as Invoice;
};
const noInvoice = (id: string) => new NotFoundError(`No invoice ${id}`, { details: { invoiceId: id } });
const maskLines = (lines: readonly StoredInvoiceLine[]): InvoiceLine[] =>
  lines.map(({ nik, ...line }) => line);

/** When an invoice was last handed to billing (or issued or drafted, if it never was). */
export const lastHandedOver = (invoice: Invoice): string =>
  invoice.lastSentAt ?? invoice.sentAt ?? invoice.issuedAt ?? invoice.draftedAt ?? '';

/** How many drafts one numbering transaction issues at most (the numbering queue's batch is 10). */
export const NUMBERING_BATCH_LIMIT = 99;

const PROGRESS: readonly InvoiceState[] = ['draft', 'issued', 'sent', 'acknowledged', 'paid'];
const TARGET = { send: 'sent', acknowledge: 'acknowledged', pay: 'paid' } as const;

/** Whether an invoice in `state` has already gone past `event` (so a redelivered answer changes nothing). */
const alreadyPast = (state: InvoiceState, event: keyof typeof TARGET): boolean =>
  state !== 'void' && PROGRESS.indexOf(state) >= PROGRESS.indexOf(TARGET[event]);

/**
 * A numbering transaction was refused: the sequence moved since it was read, or a draft was numbered
 * meanwhile. With one numbering writer per sponsor and year this only follows a crash or a redelivery; the
 * message is retried and the retry reads again.
 */
export class InvoiceNumberingRefused extends Error {
  override readonly name = 'InvoiceNumberingRefused';
  constructor(sponsorId: string, year: number, failed: readonly string[], options?: ErrorOptions) {
    super(`Numbering invoices of sponsor ${sponsorId}, ${year} was refused (${failed.join(', ')})`, options);
  }
}

/** An invoice as the roll drafts it: no number yet. */
const newDraft = (draft: InvoiceDraft): Invoice & { readonly draftedAt: string } => ({
  id: invoiceId(draft.commitmentId, draft.villageCode, draft.period),
  sponsorId: draft.sponsorId,
  commitmentId: draft.commitmentId,
  villageCode: draft.villageCode,
  period: draft.period,
  dueDate: dueDate(draft.period),
  total: draft.total,
  lineCount: draft.lines.length,
  status: invoiceMachine.initial,
  draftedAt: new Date().toISOString(),
});

/** The text of number `number` of a sponsor's `year`, e.g. `2027/000123`. */
const numberText = (year: number, number: number) => `${year}/${String(number).padStart(6, '0')}`;

/** The sponsor's invoice counter moved from `last` by `count` (refused if it is no longer at `last`). */
const sequencePut = (
  tableName: string,
  key: ReturnType<typeof invoiceSequenceKey>,
  last: number,
  count: number,
): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: { ...key, entity: 'invoice-sequence', last: last + count },
    ConditionExpression: last === 0 ? 'attribute_not_exists(pk)' : '#last = :last',
    ...(last > 0 && {
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':last': last },
    }),
  },
});

/** A draft issued under its number: conditioned on its still being a draft. */
const issueUpdate = (tableName: string, invoice: Invoice): TransactionAction => {
  const issuing = statusCondition(invoiceMachine, 'issue');
  return {
    Update: {
      TableName: tableName,
      Key: invoiceKey(invoice.commitmentId, invoice.villageCode, invoice.period),
      UpdateExpression: 'SET #status = :to, #number = :number, numberText = :text, issuedAt = :at',
      ConditionExpression: `attribute_exists(pk) AND ${issuing.expression}`,
      ExpressionAttributeNames: { ...issuing.names, '#number': 'number' },
      ExpressionAttributeValues: {
        ...issuing.values,
        ':to': issuing.to,
        ':number': invoice.number,
        ':text': invoice.numberText,
        ':at': invoice.issuedAt,
      },
    },
  };
};

/** The invoice header item: the only way one is made. */
const invoicePut = (tableName: string, invoice: Invoice): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: {
      ...invoiceKey(invoice.commitmentId, invoice.villageCode, invoice.period),
      ...invoiceIndexes(invoice.sponsorId, invoice.villageCode, invoice.period, invoice.commitmentId),
      entity: 'invoice',
      ...invoice,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** The invoice's lines in items of `LINES_PER_ITEM`. */
const lineChunks = (lines: readonly StoredInvoiceLine[]): StoredInvoiceLine[][] => {
  const chunks: StoredInvoiceLine[][] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_ITEM) chunks.push(lines.slice(i, i + LINES_PER_ITEM));
  return chunks;
};

/** One item of an invoice's lines (the `n`th, from 1). */
const linesPut = (
  tableName: string,
  draft: InvoiceDraft,
  n: number,
  lines: readonly StoredInvoiceLine[],
): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: {
      ...invoiceLinesKey(draft.commitmentId, draft.villageCode, draft.period, n),
      entity: 'invoice-lines',
      lines,
    },
  },
});

export class InvoiceRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Drafts the invoice of a village's period, or returns the one already drafted for the same village,
   * commitment and period (a retried roll). The money moves here; the number comes later (`number`), so no
   * item of this transaction is written by another village's roll.
   */
  async draft(draft: InvoiceDraft): Promise<Invoice> {
    // No read first: a retried roll's transaction is refused (the invoice exists, the allocation is rolled
    // through the period), and the invoice drafted before is read then.
    const invoice = newDraft(draft);
    const ledger = ledgerEntries(this.tableName).spend({
      commitmentId: draft.commitmentId,
      villageCode: draft.villageCode,
      period: draft.period,
      invoiceId: invoice.id,
      amount: draft.total,
      fromReserved: draft.fromReserved,
      fromAvailable: draft.fromAvailable,
      workers: draft.lines.length,
      at: invoice.draftedAt,
    });
    const transaction = new Transaction()
      .add('invoice', invoicePut(this.tableName, invoice))
      .add(
        'allocation',
        allocationUpdate(this.tableName, draft, movesOf(ledger.entry), {
          // The period was closed for changes by this roll, and is not rolled yet (I4, I2).
          expression:
            'closedThrough = :period AND (attribute_not_exists(rolledThrough) OR rolledThrough < :period) AND reserved >= :fromReserved AND available >= :fromAvailable',
          values: {
            ':fromReserved': draft.fromReserved,
            ':fromAvailable': draft.fromAvailable,
            ':period': draft.period,
          },
          also: ['rolledThrough = :period'],
        }),
      )
      .add('ledger', ledger.action);
    for (const [i, lines] of lineChunks(draft.lines).entries()) {
      transaction.add(`lines-${i + 1}`, linesPut(this.tableName, draft, i + 1, lines));
    }
    try {
      await transaction.run(this.db);
      return invoice;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const again = await this.getByKey(draft.commitmentId, draft.villageCode, draft.period);
      if (again) return again;
      throw new Error(
        `The allocation of ${draft.villageCode} changed under the roll of ${draft.period}; the roll will be retried`,
        { cause: error },
      );
    }
  }

  /**
   * Issues drafts of one sponsor's `year` under its next gap-free numbers, in the order of `ids`, in one
   * transaction: the sequence item once (conditioned on the value read) and each draft `draft → issued`
   * (conditioned on its still being a draft). Meant for the single writer of the sponsor's year (the
   * numbering queue's message group), so the conditions only guard a crash or a redelivery. Ids already
   * issued are left as they are (a redelivered message). Returns every named invoice as it now stands, in
   * the order of `ids`; `InvoiceNumberingRefused` if a condition failed.
   */
  async number(sponsorId: string, year: number, ids: readonly string[]): Promise<Invoice[]> {
    if (ids.length > NUMBERING_BATCH_LIMIT) {
      throw new Error(`At most ${NUMBERING_BATCH_LIMIT} invoices are numbered at once, not ${ids.length}`);
    }
    const current = await this.getManyById(ids);
    for (const invoice of current) {
      if (invoice.sponsorId !== sponsorId || periodParts(invoice.period).year !== year) {
        throw new ValidationError(`Invoice ${invoice.id} is not of sponsor ${sponsorId} in ${year}`, {
          details: { invoiceId: invoice.id },
        });
      }
    }
    const drafts = current.filter(
      (invoice, i) => invoice.status === 'draft' && ids.indexOf(invoice.id) === i,
    );
    if (drafts.length === 0) return current;
    const sequenceKey = invoiceSequenceKey(sponsorId, year);
    const { Item: sequence } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: sequenceKey, ConsistentRead: true }),
    );
    const last = (sequence?.last as number | undefined) ?? 0;
    const issuedAt = new Date().toISOString();
    const issued = new Map(
      drafts.map((invoice, i): [string, Invoice] => [
        invoice.id,
        {
          ...invoice,
          number: last + 1 + i,
          numberText: numberText(year, last + 1 + i),
          status: invoiceMachine.target('issue'),
          issuedAt,
        },
      ]),
    );
    const transaction = new Transaction().add(
      'sequence',
      sequencePut(this.tableName, sequenceKey, last, drafts.length),
    );
    for (const invoice of issued.values()) {
      transaction.add(`invoice ${invoice.id}`, issueUpdate(this.tableName, invoice));
    }
    try {
      await transaction.run(this.db);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      throw new InvoiceNumberingRefused(sponsorId, year, error.failedActions, { cause: error });
    }
    return current.map((invoice) => issued.get(invoice.id) ?? invoice);
  }

  /** An invoice header by id; `NotFoundError` if there is none. */
  private async getById(id: string): Promise<Invoice> {
    const parts = parseInvoiceId(id);
    const invoice = parts && (await this.getByKey(parts.commitmentId, parts.villageCode, parts.period));
    if (!invoice) throw noInvoice(id);
    return invoice;
  }

  /** Invoice headers by id, in the order of `ids`, read together; `NotFoundError` if one is missing. */
  private async getManyById(ids: readonly string[]): Promise<Invoice[]> {
    const keys = new Map<string, ReturnType<typeof invoiceKey>>();
    for (const id of ids) {
      const parts = parseInvoiceId(id);
      if (!parts) throw noInvoice(id);
      keys.set(id, invoiceKey(parts.commitmentId, parts.villageCode, parts.period));
    }
    const found = new Map(
      (await batchGetAll(this.db, this.tableName, [...keys.values()])).map((item) => {
        const invoice = strip(item);
        return [invoice.id, invoice] as const;
      }),
    );
    return ids.map((id) => {
      const invoice = found.get(id);
      if (!invoice) throw noInvoice(id);
      return invoice;
    });
  }

  /** Records that a period had nothing to invoice (so the village counts as rolled through it). */
  async markRolled(commitmentId: string, villageCode: string, period: Period): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: allocationKey(commitmentId, villageCode),
          UpdateExpression: 'SET rolledThrough = :period',
          ConditionExpression:
            'closedThrough = :period AND (attribute_not_exists(rolledThrough) OR rolledThrough < :period)',
          ExpressionAttributeValues: { ':period': period },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getByKey(commitmentId: string, villageCode: string, period: string): Promise<Invoice | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: invoiceKey(commitmentId, villageCode, period),
        ConsistentRead: true,
      }),
    );
    return Item ? strip(Item) : undefined;
  }

  /** An invoice's lines, the NIKs included: only for the billing message. */
  async storedLines(invoice: Invoice): Promise<StoredInvoiceLine[]> {
    const { pk } = invoiceKey(invoice.commitmentId, invoice.villageCode, invoice.period);
    const lines: StoredInvoiceLine[] = [];
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lines)',
      ExpressionAttributeValues: { ':pk': pk, ':lines': invoiceLinesPrefix(invoice.period) },
      ConsistentRead: true,
    })) {
      for (const item of items) lines.push(...(item.lines as StoredInvoiceLine[]));
    }
    if (lines.length !== invoice.lineCount) {
      throw new Error(`Invoice ${invoice.id} has ${lines.length} of its ${invoice.lineCount} lines`);
    }
    return lines;
  }

  /** An invoice by id, with its lines (NIKs masked). */
  async get(id: string): Promise<InvoiceWithLines> {
    const invoice = await this.getById(id);
    return { ...invoice, lines: maskLines(await this.storedLines(invoice)) };
  }

  /** A page of invoices of a sponsor or of a village, by period, optionally of one period and state. */
  async list(filter: InvoiceFilter, limit = 100, pageToken?: string): Promise<Page<Invoice>> {
    const bySponsor = filter.sponsorId !== undefined;
    if (!bySponsor && filter.villageCode === undefined) {
      throw ValidationError.forField('sponsorId', 'name a sponsorId or a villageCode to list invoices');
    }
    const index = bySponsor
      ? invoiceIndexes(filter.sponsorId ?? '', '', '', '')
      : invoiceIndexes('', filter.villageCode ?? '', '', '');
    const [name, pk, sk] = bySponsor ? ['gsi1', index.gsi1pk, 'gsi1sk'] : ['gsi2', index.gsi2pk, 'gsi2sk'];
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': pk };
    if (filter.status) {
      filters.push('#status = :status');
      values[':status'] = filter.status;
    }
    if (bySponsor && filter.villageCode) {
      filters.push('villageCode = :village');
      values[':village'] = filter.villageCode;
    }
    if (filter.period) values[':period'] = `${filter.period}#`;
    const startKey = decodePageToken(pageToken);
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: name,
        KeyConditionExpression: `${name}pk = :pk${filter.period ? ` AND begins_with(${sk}, :period)` : ''}`,
        ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
        ...(filter.status && { ExpressionAttributeNames: { '#status': 'status' } }),
        ExpressionAttributeValues: values,
        Limit: limit,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const nextPageToken = encodePageToken(LastEvaluatedKey);
    return { items: Items.map(strip), ...(nextPageToken && { nextPageToken }) };
  }

  /**
   * A sponsor's invoices of the periods `from` to `to` that billing has not answered (`draft`, `issued` or
   * `sent`: a draft never numbered never reached billing) and that were last handed on before `sentBefore`
   * (ISO time): the sponsor's invoice index (gsi1, by period), the state as a filter. Reads every invoice
   * header of those periods, writes nothing.
   */
  async unanswered(sponsorId: string, from: Period, to: Period, sentBefore: string): Promise<Invoice[]> {
    const found: Invoice[] = [];
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      FilterExpression: '#status IN (:draft, :issued, :sent)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': invoiceIndexes(sponsorId, '', '', '').gsi1pk,
        ':from': `${from}#`,
        // `~` sorts after every village code and commitment id that follow the period.
        ':to': `${to}#~`,
        ':draft': 'draft',
        ':issued': 'issued',
        ':sent': 'sent',
      },
    })) {
      for (const item of items) {
        const invoice = strip(item);
        if (lastHandedOver(invoice) < sentBefore) found.push(invoice);
      }
    }
    return found;
  }

  /**
   * Records that an unanswered invoice was handed to billing again: `lastSentAt` and one more `sendCount`, on
   * condition that billing has still not answered it. Returns false when an answer came first.
   */
  async recordResend(id: string, at: string): Promise<boolean> {
    const parts = parseInvoiceId(id);
    if (!parts) throw noInvoice(id);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(parts.commitmentId, parts.villageCode, parts.period),
          UpdateExpression: 'SET lastSentAt = :at ADD sendCount :one',
          ConditionExpression: '#status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':one': 1, ':sent': 'sent' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** How many invoices of the periods just before `period` are unpaid in a row (voided ones break the run). */
  async unpaidRunBefore(
    commitmentId: string,
    villageCode: string,
    period: Period,
    upTo: number,
  ): Promise<number> {
    const first = addMonths(period, -upTo);
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': invoiceKey(commitmentId, villageCode, period).pk,
          ':from': `${INVOICE_SK_PREFIX}${first}`,
          ':to': `${INVOICE_SK_PREFIX}${addMonths(period, -1)}`,
        },
        ProjectionExpression: '#period, #status',
        ExpressionAttributeNames: { '#period': 'period', '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    const statusOf = new Map(Items.map((item) => [item.period as string, item.status as InvoiceState]));
    let run = 0;
    for (let back = 1; back <= upTo; back++) {
      const status = statusOf.get(addMonths(period, -back));
      if (status === undefined || status === 'paid' || status === 'void') break;
      run++;
    }
    return run;
  }

  /**
   * Applies a billing event to an invoice. Idempotent: an event the invoice has already gone past changes
   * nothing and returns false; an event its state does not allow is an `IllegalTransitionError`. An answer
   * of billing (`acknowledge`, `pay`) proves the invoice was handed over: where its send was not recorded yet
   * (billing answered before the sender's record), the same write counts that one send.
   */
  async apply(
    id: string,
    event: keyof typeof TARGET,
    changes: Record<string, unknown> = {},
    condition?: { expression: string; values: Record<string, unknown>; names?: Record<string, string> },
  ): Promise<boolean> {
    const parts = parseInvoiceId(id);
    if (!parts) throw noInvoice(id);
    const { from, to, expression, names, values } = statusCondition(invoiceMachine, event);
    const sets = Object.keys(changes).map((_, i) => `#c${i} = :c${i}`);
    const answer = event !== 'send';
    if (answer) sets.push('#sendCount = if_not_exists(#sendCount, :sentOnce)');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(parts.commitmentId, parts.villageCode, parts.period),
          UpdateExpression: `SET #status = :to${sets.map((s) => `, ${s}`).join('')}`,
          ConditionExpression: `attribute_exists(pk) AND ${expression}${
            condition ? ` AND ${condition.expression}` : ''
          }`,
          ExpressionAttributeNames: {
            ...names,
            ...Object.fromEntries(Object.keys(changes).map((name, i) => [`#c${i}`, name])),
            ...(answer && { '#sendCount': 'sendCount' }),
            ...condition?.names,
          },
          ExpressionAttributeValues: {
            ':to': to,
            ...(answer && { ':sentOnce': 1 }),
            ...values,
            ...Object.fromEntries(Object.values(changes).map((value, i) => [`:c${i}`, value])),
            ...condition?.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const state = error.Item?.status?.S as InvoiceState | undefined;
      if (!state) throw noInvoice(id);
      if (alreadyPast(state, event)) {
        // Billing's answers may arrive in any order, so what a late answer says is filled in. Our own `send`
        // is no answer: billing can acknowledge an invoice before the roll records that it handed it over,
        // and then the acknowledgement proves the send; a second write for `sentAt` would only make the
        // roll's cost depend on billing's speed.
        return event === 'send' ? false : this.fillIn(id, changes);
      }
      if (from.includes(state)) {
        throw new ValidationError(`The ${event} of invoice ${id} does not match it`, {
          details: { invoiceId: id },
        });
      }
      throw new IllegalTransitionError('invoice', state, event, { details: { invoiceId: id } });
    }
  }

  /**
   * Records what an answer says that the invoice does not hold yet, whatever its state: a payment applied
   * before its acknowledgement (billing's answers may arrive in any order) still gets its payment code.
   */
  private async fillIn(id: string, changes: Record<string, unknown>): Promise<boolean> {
    const names = Object.keys(changes);
    const parts = parseInvoiceId(id);
    if (!parts || names.length === 0) return false;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invoiceKey(parts.commitmentId, parts.villageCode, parts.period),
          UpdateExpression: `SET ${names.map((_, i) => `#c${i} = :c${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#c0)',
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:c${i}`, changes[name]])),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Voids an invoice with a credit note for its total, in one transaction that also gives the total back:
   * the village's allocation moves it from spent to released, with its ledger entry (the money never left;
   * the worker-months of the invoice go unpaid). The invoice stays, marked void. Returns the credit note's
   * reference, or undefined if the invoice was already void.
   */
  async void(id: string, reason: string): Promise<{ creditNote: string; amount: Rupiah } | undefined> {
    const parts = parseInvoiceId(id);
    const invoice = parts && (await this.getByKey(parts.commitmentId, parts.villageCode, parts.period));
    if (!parts || !invoice) throw noInvoice(id);
    if (invoice.status === 'void') return undefined;
    if (invoice.status === 'draft') {
      throw new IllegalTransitionError('invoice', invoice.status, 'void', { details: { invoiceId: id } });
    }
    const voiding = statusCondition(invoiceMachine, 'void');
    const creditNote = `CN-${invoice.numberText}`;
    const at = new Date().toISOString();
    const ledger = ledgerEntries(this.tableName).credit({
      commitmentId: parts.commitmentId,
      villageCode: parts.villageCode,
      period: invoice.period,
      invoiceId: id,
      creditNote,
      amount: invoice.total,
      at,
    });
    try {
      await new Transaction()
        .add('invoice', {
          Update: {
            TableName: this.tableName,
            Key: invoiceKey(parts.commitmentId, parts.villageCode, parts.period),
            UpdateExpression: 'SET #status = :void, voidedAt = :at, creditNote = :note, voidReason = :reason',
            ConditionExpression: voiding.expression,
            ExpressionAttributeNames: voiding.names,
            ExpressionAttributeValues: {
              ...voiding.values,
              ':void': voiding.to,
              ':at': at,
              ':note': creditNote,
              ':reason': reason,
            },
          },
        })
        .add('credit-note', {
          Put: {
            TableName: this.tableName,
            Item: {
              ...creditNoteKey(parts.commitmentId, parts.villageCode, parts.period),
              entity: 'credit-note',
              creditNote,
              invoiceId: id,
              amount: invoice.total,
              reason,
              at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })
        .add(
          'allocation',
          allocationUpdate(this.tableName, parts, movesOf(ledger.entry), {
            expression: 'spent >= :amount',
            values: { ':amount': invoice.total },
          }),
        )
        .add('ledger', ledger.action)
        .run(this.db);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const now = await this.getByKey(parts.commitmentId, parts.villageCode, parts.period);
      if (now?.status === 'void') return undefined;
      if (error.failed('allocation')) {
        throw new Error(`The allocation of ${parts.villageCode} has spent less than invoice ${id}`, {
          cause: error,
        });
      }
      throw new IllegalTransitionError('invoice', now?.status ?? 'unknown', 'void', {
        details: { invoiceId: id },
      });
    }
    return { creditNote, amount: invoice.total };
  }
}
