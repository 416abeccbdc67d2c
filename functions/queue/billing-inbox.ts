/**
 * Lambda entry point of the billing-inbox consumer: BPJS billing's answers move invoices (and collection
 * partners' remittances) along their lifecycle. A redelivered answer changes nothing; a rejection voids the
 * invoice with a credit note and tells billing so on the outbox.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Period } from '@lindung/core';
import { type BillingInboxMessage, billingInboxMessage, message, parseMessage } from '@lindung/messaging';
import { parseRemittanceId } from '@lindung/store';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../shared/observability.js';
import { billingOutbox, contributions, invoices } from '../shared/renewal.js';

type RemittanceAnswer = Extract<BillingInboxMessage, { type: 'remittance.acknowledged' | 'remittance.paid' }>;

/** A remittance answer: acknowledged (payment code) or paid (of the remittance's total, else refused). */
const answerRemittance = async (received: RemittanceAnswer) => {
  const key = parseRemittanceId(received.data.remittanceId);
  if (!key) throw new Error(`Not a remittance id: ${received.data.remittanceId}`);
  const changed = await contributions.answerRemittance(
    key.partnerId,
    key.period as Period,
    received.type === 'remittance.acknowledged'
      ? { kind: 'acknowledge', paymentCode: received.data.paymentCode, at: received.occurredAt }
      : { kind: 'pay', amount: received.data.amount, paidAt: received.data.paidAt },
  );
  logger.info('billing answer', { type: received.type, remittanceId: received.data.remittanceId, changed });
};

const answer = async (record: SQSRecord) => {
  const received = parseMessage(billingInboxMessage, record.body);
  if (received.type === 'remittance.acknowledged' || received.type === 'remittance.paid') {
    return answerRemittance(received);
  }
  const { invoiceId } = received.data;
  let changed: boolean;
  switch (received.type) {
    case 'invoice.acknowledged':
      changed = await invoices.apply(invoiceId, 'acknowledge', {
        paymentCode: received.data.paymentCode,
        acknowledgedAt: received.occurredAt,
      });
      break;
    case 'invoice.paid':
      // A payment of another amount than the invoice's is refused (and ends in the DLQ for a person to see).
      changed = await invoices.apply(
        invoiceId,
        'pay',
        { paidAt: received.data.paidAt, paidAmount: received.data.amount },
        {
          expression: '#total = :amount',
          values: { ':amount': received.data.amount },
          names: { '#total': 'total' },
        },
      );
      break;
    case 'invoice.rejected': {
      const voided = await invoices.void(invoiceId, received.data.reason);
      changed = voided !== undefined;
      if (voided) {
        await billingOutbox().send([
          message('invoice.voided', `invoice.voided:${invoiceId}`, {
            invoiceId,
            creditNote: voided.creditNote,
            amount: voided.amount,
            reason: received.data.reason,
          }),
        ]);
      }
      break;
    }
  }
  logger.info('billing answer', { type: received.type, invoiceId, changed });
};

export const handler = middy(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    // A processor per batch: it holds the batch's state, and the local stack runs batches side by side.
    processPartialResponse(event, answer, new BatchProcessor(EventType.SQS), { context }),
).use(injectLambdaContext(logger));
