/**
 * The messages of Lindung's queues: one envelope `{ type, version, id, occurredAt, data }`, validated with
 * zod by the sender and by the consumer. `id` is deterministic where a message stands for one fact (an
 * invoice's issue, a village's roll of a period), so a consumer can recognise a redelivered or resent one.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini has no messages of its own: the English ones classic zod gives, for the logs of a refused message.
z.config(en());

const period = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/));
const villageCode = z.string().check(z.regex(/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/));
const rupiah = z.int().check(z.nonnegative());
const id = z.string().check(z.minLength(1), z.maxLength(200));

const envelope = <T extends string, D extends z.ZodMiniType>(type: T, data: D) =>
  z.strictObject({
    type: z.literal(type),
    version: z.literal(1),
    id,
    occurredAt: z.iso.datetime(),
    data,
  });

/**
 * renewal-work: roll one village of one commitment through `period` (`close` ends the fiscal year), or apply the
 * contribution accounts of one collection partner through `period` and remit them (`contributions`).
 */
export const renewalRequested = envelope(
  'renewal.requested',
  z.discriminatedUnion('action', [
    z.strictObject({
      period,
      commitmentId: id,
      villageCode,
      action: z.enum(['renew', 'close']),
    }),
    z.strictObject({ period, partnerId: id, action: z.literal('contributions') }),
  ]),
);

export const invoiceLine = z.strictObject({
  enrollmentId: id,
  /** The worker's NIK: BPJS credits the premium to it. The outbox queue is encrypted for this reason. */
  nik: z.string().check(z.regex(/^\d{16}$/)),
  name: z.optional(z.string()),
  premium: rupiah,
});

/** billing-outbox: an invoice was issued. */
export const invoiceIssued = envelope(
  'invoice.issued',
  z.strictObject({
    invoiceId: id,
    number: z.int().check(z.positive()),
    numberText: z.string(),
    sponsorId: id,
    commitmentId: id,
    villageCode,
    period,
    dueDate: z.iso.date(),
    total: rupiah,
    lines: z.array(invoiceLine),
  }),
);

/** billing-outbox: an invoice was voided by a credit note. */
export const invoiceVoided = envelope(
  'invoice.voided',
  z.strictObject({ invoiceId: id, creditNote: z.string(), amount: rupiah, reason: z.string() }),
);

/** A line of a remittance: a worker's own share of a month, paid from their contribution balance. */
export const remittanceLine = z.strictObject({
  /** The worker's NIK: BPJS credits the contribution to it (the outbox queue is encrypted). */
  nik: z.string().check(z.regex(/^\d{16}$/)),
  programs: z.array(z.enum(['JKK', 'JKM', 'JHT'])),
  amount: rupiah,
});

/** billing-outbox: a collection partner's remittance of a period (total = Σ lines = what was applied). */
export const remittanceIssued = envelope(
  'remittance.issued',
  z.strictObject({
    remittanceId: id,
    partnerId: id,
    period,
    total: rupiah,
    lines: z.array(remittanceLine),
  }),
);

/** billing-inbox: BPJS billing accepted a remittance and gave its payment code. */
export const remittanceAcknowledged = envelope(
  'remittance.acknowledged',
  z.strictObject({
    remittanceId: id,
    paymentCode: z.string().check(z.regex(/^\d{11}$/, 'a payment code is 11 digits')),
  }),
);

/** billing-inbox: BPJS billing received the remittance's money. */
export const remittancePaid = envelope(
  'remittance.paid',
  z.strictObject({ remittanceId: id, amount: rupiah, paidAt: z.iso.datetime() }),
);

/** billing-inbox: BPJS billing accepted the invoice and gave its payment code. */
export const invoiceAcknowledged = envelope(
  'invoice.acknowledged',
  z.strictObject({
    invoiceId: id,
    paymentCode: z.string().check(z.regex(/^\d{11}$/, 'a payment code is 11 digits')),
  }),
);

/** billing-inbox: the invoice was paid. */
export const invoicePaid = envelope(
  'invoice.paid',
  z.strictObject({ invoiceId: id, amount: rupiah, paidAt: z.iso.datetime() }),
);

/** billing-inbox: BPJS billing refused the invoice. */
export const invoiceRejected = envelope(
  'invoice.rejected',
  z.strictObject({ invoiceId: id, reason: z.string().check(z.minLength(1), z.maxLength(500)) }),
);

/**
 * invoice-numbering: a drafted invoice to number. Its group is the sponsor's year (`numberingGroup`), its
 * de-duplication id the invoice id.
 */
export const invoiceDrafted = envelope(
  'invoice.drafted',
  z.strictObject({ invoiceId: id, sponsorId: id, period }),
);

/** The message group of a sponsor's year on invoice-numbering: one writer of its invoice sequence. */
export const numberingGroup = (data: { sponsorId: string; period: string }) =>
  `${data.sponsorId}#${data.period.slice(0, 4)}`;

/** import-work: carry on with an import job from its stored cursor (the message holds no rows). */
export const importRequested = envelope('import.requested', z.strictObject({ jobId: id }));

export const renewalWorkMessage = renewalRequested;
export const importWorkMessage = importRequested;
export const invoiceNumberingMessage = invoiceDrafted;
export const billingOutboxMessage = z.discriminatedUnion('type', [
  invoiceIssued,
  invoiceVoided,
  remittanceIssued,
]);
export const billingInboxMessage = z.discriminatedUnion('type', [
  invoiceAcknowledged,
  invoicePaid,
  invoiceRejected,
  remittanceAcknowledged,
  remittancePaid,
]);

export type RenewalRequested = z.infer<typeof renewalRequested>;
export type RemittanceIssued = z.infer<typeof remittanceIssued>;
export type ImportRequested = z.infer<typeof importRequested>;
export type InvoiceIssued = z.infer<typeof invoiceIssued>;
export type InvoiceDrafted = z.infer<typeof invoiceDrafted>;
export type InvoiceVoided = z.infer<typeof invoiceVoided>;
export type BillingOutboxMessage = z.infer<typeof billingOutboxMessage>;
export type BillingInboxMessage = z.infer<typeof billingInboxMessage>;

/** Wraps `data` in the envelope. */
export const message = <T extends string, D>(
  type: T,
  messageId: string,
  data: D,
  occurredAt = new Date(),
) => ({
  type,
  version: 1 as const,
  id: messageId,
  occurredAt: occurredAt.toISOString(),
  data,
});

/** Parses a message body against a schema; a body that is not JSON fails the same way as a wrong shape. */
export const parseMessage = <S extends z.ZodMiniType>(schema: S, body: string): z.infer<S> => {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new Error('The message body is not JSON', { cause: error });
  }
  return schema.parse(value);
};
