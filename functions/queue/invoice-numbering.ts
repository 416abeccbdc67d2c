/**
 * Lambda entry point of the numbering worker: SQS invoice-numbering (FIFO, one group per sponsor's year) →
 * the batch's drafts issued under gap-free numbers in one transaction per sponsor's year, then each handed
 * to billing in message order. FIFO hands out a group's messages only while none of it is in flight, so this
 * is the single writer of a sponsor's invoice sequence. If numbering fails the whole batch comes back; if a
 * hand-over fails, Powertools' FIFO processor fails it and the rest of its group, which return in order.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Period } from '@lindung/core';
import { invoiceNumberingMessage, parseMessage } from '@lindung/messaging';
import type { Invoice } from '@lindung/store';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../shared/observability.js';
import { invoiceNumbering } from '../shared/renewal.js';

/** The batch's requests that parse; a malformed message fails on its own in the record handler. */
const requestsOf = (records: readonly SQSRecord[]) =>
  records.flatMap((record) => {
    try {
      const { data } = parseMessage(invoiceNumberingMessage, record.body);
      return [{ messageId: record.messageId, request: { ...data, period: data.period as Period } }];
    } catch {
      return [];
    }
  });

export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const requests = requestsOf(event.Records);
  const numbered = await invoiceNumbering.number(requests.map((r) => r.request));
  const invoiceOf = new Map<string, Invoice>(requests.map((r, i) => [r.messageId, numbered[i] as Invoice]));
  logger.info('invoices numbered', {
    invoices: numbered.length,
    numbers: numbered.map((invoice) => invoice.numberText ?? invoice.status),
  });
  const handOver = async (record: SQSRecord) => {
    const invoice = invoiceOf.get(record.messageId);
    // A message that did not parse fails here, with the parser's reason.
    if (!invoice) parseMessage(invoiceNumberingMessage, record.body);
    else await invoiceNumbering.send(invoice);
  };
  // A processor per batch: it holds the batch's state. Another group's failure does not hold this one back.
  return processPartialResponse(event, handOver, new SqsFifoPartialProcessorAsync(), {
    context,
    skipGroupOnError: true,
  });
}).use(injectLambdaContext(logger));
