/**
 * The period roll as the renewal worker, the numbering worker, the schedule and the HTTP API use it:
 * repositories on the ledger table, drafted invoices sent to the invoice-numbering queue and issued ones
 * published to the billing-outbox queue.
 */
import {
  billingOutboxMessage,
  billingOutboxQueue,
  type InvoiceDrafted,
  invoiceNumberingMessage,
  invoiceNumberingQueue,
  message,
  numberingGroup,
  publisher,
  queueUrlFromEnv,
  renewalWorkMessage,
  renewalWorkQueue,
} from '@lindung/messaging';
import { ContributionRoll, InvoiceNumbering, PeriodRenewal, type SendRenewalWork } from '@lindung/roll';
import {
  CommitmentRepository,
  type ContributionMonth,
  ContributionRepository,
  documentClient,
  EnrollmentRepository,
  type Invoice,
  InvoiceRepository,
  isVillageWork,
  ledgerTable,
  type Remittance,
  RollRepository,
  type StoredInvoiceLine,
  tableNameFromEnv,
} from '@lindung/store';
import { dynamodbClient, sqsClient } from './clients.js';

export const db = documentClient(dynamodbClient);
export const ledgerTableName = tableNameFromEnv(ledgerTable);
export const commitments = new CommitmentRepository(db, ledgerTableName);
export const enrollments = new EnrollmentRepository(db, ledgerTableName);
export const invoices = new InvoiceRepository(db, ledgerTableName);
export const roll = new RollRepository(db, ledgerTableName);
export const contributions = new ContributionRepository(db, ledgerTableName);

/** A publisher on the billing-outbox queue (created on first use, so functions that never publish need no URL). */
export const billingOutbox = () =>
  publisher(sqsClient, queueUrlFromEnv(billingOutboxQueue), billingOutboxMessage);

/** Publishes an issued invoice with its lines on billing-outbox. */
const publishInvoice = (invoice: Invoice, lines: readonly StoredInvoiceLine[]) => {
  if (invoice.number === undefined || invoice.numberText === undefined) {
    throw new Error(`Invoice ${invoice.id} has no number yet: only an issued invoice goes to billing`);
  }
  return billingOutbox().send([
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
  ]);
};

/** Publishes a partner's remittance of a period with its lines on billing-outbox (the id names the remittance). */
const publishRemittance = (remittance: Remittance, lines: readonly ContributionMonth[]) =>
  billingOutbox().send([
    message('remittance.issued', `remittance.issued:${remittance.id}`, {
      remittanceId: remittance.id,
      partnerId: remittance.partnerId,
      period: remittance.period,
      total: remittance.total,
      lines: lines.map((l) => ({ nik: l.nik, programs: [...l.programs], amount: l.amount })),
    }),
  ]);

/** Asks for drafted invoices to be numbered: one message each, grouped by the sponsor's year. */
const requestNumbering = (drafts: readonly Invoice[]) =>
  publisher(sqsClient, queueUrlFromEnv(invoiceNumberingQueue), invoiceNumberingMessage, {
    groupOf: (m: InvoiceDrafted) => numberingGroup(m.data),
    // SQS drops a second message with the same id within 5 minutes: a retried roll asks once.
    deduplicationIdOf: (m: InvoiceDrafted) => m.data.invoiceId,
  }).send(
    drafts.map((invoice) =>
      message('invoice.drafted', `invoice.drafted:${invoice.id}`, {
        invoiceId: invoice.id,
        sponsorId: invoice.sponsorId,
        period: invoice.period,
      }),
    ),
  );

// Pure: a bundle that never uses them (the HTTP API's) leaves the renewal and the numbering out.
export const periodRenewal = /* @__PURE__ */ new PeriodRenewal({
  commitments,
  enrollments,
  invoices,
  roll,
  publishInvoice,
  requestNumbering,
});

export const invoiceNumbering = /* @__PURE__ */ new InvoiceNumbering({ invoices, publishInvoice });

export const contributionRoll = /* @__PURE__ */ new ContributionRoll({ contributions, publishRemittance });

/**
 * Queues units of roll work on renewal-work, one message per (period, commitment, village) or (period,
 * partner); the id names the unit.
 */
export const sendRenewalWork: SendRenewalWork = (work) =>
  publisher(sqsClient, queueUrlFromEnv(renewalWorkQueue), renewalWorkMessage).send(
    work.map((unit) =>
      message(
        'renewal.requested',
        isVillageWork(unit)
          ? `${unit.action}:${unit.period}:${unit.commitmentId}:${unit.villageCode}`
          : `${unit.action}:${unit.period}:${unit.partnerId}`,
        unit,
      ),
    ),
  );
