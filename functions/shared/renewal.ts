/**
 * The period roll as the renewal worker, the schedule and the HTTP API use it: repositories on the ledger
 * table, and invoices published to the billing-outbox queue.
 */
import {
  billingOutboxMessage,
  billingOutboxQueue,
  message,
  publisher,
  queueUrlFromEnv,
  renewalWorkMessage,
  renewalWorkQueue,
} from '@lindung/messaging';
import { PeriodRenewal, type SendRenewalWork } from '@lindung/roll';
import {
  CommitmentRepository,
  documentClient,
  EnrollmentRepository,
  InvoiceRepository,
  ledgerTable,
  RollRepository,
  tableNameFromEnv,
} from '@lindung/store';
import { dynamodbClient, sqsClient } from './clients.js';

export const db = documentClient(dynamodbClient);
export const ledgerTableName = tableNameFromEnv(ledgerTable);
export const commitments = new CommitmentRepository(db, ledgerTableName);
export const enrollments = new EnrollmentRepository(db, ledgerTableName);
export const invoices = new InvoiceRepository(db, ledgerTableName);
export const roll = new RollRepository(db, ledgerTableName);

/** A publisher on the billing-outbox queue (created on first use, so functions that never publish need no URL). */
export const billingOutbox = () =>
  publisher(sqsClient, queueUrlFromEnv(billingOutboxQueue), billingOutboxMessage);

export const periodRenewal = new PeriodRenewal({
  commitments,
  enrollments,
  invoices,
  roll,
  publishInvoice: (invoice, lines) =>
    billingOutbox().send([
      // The id names the invoice: a resent invoice is recognisably the same one.
      message('invoice.issued', `invoice.issued:${invoice.id}`, {
        invoiceId: invoice.id,
        number: invoice.number,
        numberText: invoice.numberText,
        sponsorId: invoice.sponsorId,
        commitmentId: invoice.commitmentId,
        villageCode: invoice.villageCode,
        period: invoice.period,
        dueDate: invoice.dueDate,
        total: invoice.total,
        lines: lines.map(({ nikMasked, ...line }) => line),
      }),
    ]),
});

/** Queues units of roll work on renewal-work, one message per (period, commitment, village). */
export const sendRenewalWork: SendRenewalWork = (work) =>
  publisher(sqsClient, queueUrlFromEnv(renewalWorkQueue), renewalWorkMessage).send(
    work.map((unit) =>
      message(
        'renewal.requested',
        `${unit.action}:${unit.period}:${unit.commitmentId}:${unit.villageCode}`,
        unit,
      ),
    ),
  );
