/**
 * Local mode only: a stand-in for BPJS billing. It consumes billing-outbox and answers on billing-inbox:
 * acknowledges every issued invoice (and collection partner's remittance) at once with an 11-digit payment
 * code, and pays it after
 * `LINDUNG_BILLING_PAY_DELAY_SECONDS` (default 0, at most SQS's 900; `never` leaves invoices unpaid).
 */
import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  billingInboxMessage,
  billingInboxQueue,
  billingOutboxMessage,
  message,
  parseMessage,
  publisher,
  queueUrlFromEnv,
} from '@lindung/messaging';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsClient } from '../shared/clients.js';
import { logger } from '../shared/observability.js';

const MAX_DELAY_SECONDS = 900;

/** When the simulated payer pays: `undefined` for never. */
export const payDelaySeconds = (setting = process.env.LINDUNG_BILLING_PAY_DELAY_SECONDS ?? '0') => {
  if (setting === 'never') return undefined;
  const seconds = Number(setting);
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new Error(
      `LINDUNG_BILLING_PAY_DELAY_SECONDS must be a whole number of seconds or "never", got ${setting}`,
    );
  }
  return Math.min(seconds, MAX_DELAY_SECONDS);
};

/** A stable 11-digit payment code for an invoice. */
export const paymentCodeOf = (invoiceId: string) =>
  (BigInt(`0x${createHash('sha256').update(invoiceId).digest('hex').slice(0, 15)}`) % 10n ** 11n)
    .toString()
    .padStart(11, '0');

const inbox = () => publisher(sqsClient, queueUrlFromEnv(billingInboxQueue), billingInboxMessage);

/** A remittance's money comes from balances the partner already holds: acknowledged and paid at once. */
const remit = (remittanceId: string, total: number) =>
  // Both answers in one request: billing-inbox applies them in either order.
  inbox().send([
    message('remittance.acknowledged', `remittance.acknowledged:${remittanceId}`, {
      remittanceId,
      paymentCode: paymentCodeOf(remittanceId),
    }),
    message('remittance.paid', `remittance.paid:${remittanceId}`, {
      remittanceId,
      amount: total,
      paidAt: new Date().toISOString(),
    }),
  ]);

const bill = async (record: SQSRecord) => {
  const received = parseMessage(billingOutboxMessage, record.body);
  if (received.type === 'remittance.issued') return remit(received.data.remittanceId, received.data.total);
  if (received.type !== 'invoice.issued') return;
  const { invoiceId, total } = received.data;
  const acknowledged = message('invoice.acknowledged', `invoice.acknowledged:${invoiceId}`, {
    invoiceId,
    paymentCode: paymentCodeOf(invoiceId),
  });
  const delay = payDelaySeconds();
  if (delay === undefined) return inbox().send([acknowledged]);
  const paid = message('invoice.paid', `invoice.paid:${invoiceId}`, {
    invoiceId,
    amount: total,
    paidAt: new Date().toISOString(),
  });
  // Paid at once: both answers in one request (billing-inbox applies them in either order).
  if (delay === 0) return inbox().send([acknowledged, paid]);
  await inbox().send([acknowledged]);
  await inbox().send([paid], { delaySeconds: delay });
};

export const handler = middy(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    // A processor per batch: it holds the batch's state, and the local stack runs batches side by side.
    processPartialResponse(event, bill, new BatchProcessor(EventType.SQS), { context }),
).use(injectLambdaContext(logger));
