/**
 * Operations (admin only): what is stuck — villages the roll has not brought through the month, invoices
 * billing has not answered, dead letters — and moving dead letters back to their queues after a fix
 * (`lindung doctor`, `lindung redrive`). What heals itself (the hourly roll, the billing sweep) shows here
 * until it has healed; dead letters need a person, because something failed them on purpose.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { type Period, periodAt } from '@lindung/core';
import {
  deadLetterQueueUrlEnvName,
  type QueueDefinition,
  queueDefinitions,
  queueUrlEnvName,
} from '@lindung/messaging';
import { type Invoice, lastHandedOver, type RenewalWork } from '@lindung/store';
import * as z from 'zod/mini';
import { authorize, type Principal } from './auth.js';
import { queryInteger } from './schemas.js';

/** Minutes without an answer after which an invoice counts as stuck (the billing sweep's default). */
export const DEFAULT_UNANSWERED_MINUTES = 60;

export const stuckQuery = z.strictObject({
  olderThanMinutes: z.optional(queryInteger(0, 60 * 24 * 90)),
});

export const redriveBody = z.strictObject({
  /** One queue's dead letters; all queues' when absent. */
  queue: z.optional(z.enum(queueDefinitions.map((q) => q.id) as [string, ...string[]])),
});

export interface OperationsServices {
  readonly sqs: SQSClient;
  readonly env?: NodeJS.ProcessEnv;
  readonly unrolledVillages: (
    period: Period,
  ) => Promise<{ commitmentId: string; action: RenewalWork['action']; villageCodes: string[] }[]>;
  readonly unansweredInvoices: (at: Date, olderThanMinutes: number) => Promise<Invoice[]>;
}

const depth = async (sqs: SQSClient, url: string | undefined): Promise<number | undefined> => {
  if (!url) return undefined;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

/** What is stuck now: unrolled villages of this month, unanswered invoices, dead letters per queue. */
export const stuckReport = async (
  services: OperationsServices,
  principal: Principal,
  query: z.infer<typeof stuckQuery>,
  at = new Date(),
) => {
  authorize(principal, 'operations');
  const env = services.env ?? process.env;
  const period = periodAt(at);
  const olderThanMinutes = query.olderThanMinutes ?? DEFAULT_UNANSWERED_MINUTES;
  const [unrolled, unanswered, deadLetters] = await Promise.all([
    services.unrolledVillages(period),
    services.unansweredInvoices(at, olderThanMinutes),
    Promise.all(queueDefinitions.map((q) => depth(services.sqs, env[deadLetterQueueUrlEnvName(q)]))),
  ]);
  return {
    at: at.toISOString(),
    period,
    unrolled: unrolled.map((u) => ({ ...u, villages: u.villageCodes.length })),
    unrolledVillages: unrolled.reduce((n, u) => n + u.villageCodes.length, 0),
    unansweredAfterMinutes: olderThanMinutes,
    unanswered: unanswered.map((i) => ({
      id: i.id,
      numberText: i.numberText,
      sponsorId: i.sponsorId,
      villageCode: i.villageCode,
      period: i.period,
      status: i.status,
      total: i.total,
      lastSentAt: lastHandedOver(i),
      sendCount: i.sendCount ?? 0,
    })),
    deadLetters: Object.fromEntries(queueDefinitions.map((q, i) => [q.id, deadLetters[i] ?? 0])),
  };
};

// An emulator without message move tasks (fauxqs) refuses the action itself.
const unsupported = (error: unknown) =>
  error instanceof Error && /InvalidAction|UnsupportedOperation|UnknownOperation/.test(error.name);

/** How many dead letters one request moves by hand at most (it must finish well inside 29 s). */
const MOVE_BY_HAND_LIMIT = 500;

const arnOf = async (sqs: SQSClient, url: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`No ARN for queue ${url}`);
  return arn;
};

/** Receives dead letters and sends each to the source queue, deleting it only after the send. */
const moveByHand = async (sqs: SQSClient, from: string, to: string) => {
  let moved = 0;
  while (moved < MOVE_BY_HAND_LIMIT) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        // A FIFO queue's message goes back into its group, under its own de-duplication id.
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const { MessageGroupId, MessageDeduplicationId } = message.Attributes ?? {};
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: to,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes && { MessageAttributes: message.MessageAttributes }),
          ...(MessageGroupId && { MessageGroupId }),
          ...(MessageDeduplicationId && { MessageDeduplicationId }),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: message.ReceiptHandle }));
      moved++;
    }
  }
  return moved;
};

const redriveOne = async (sqs: SQSClient, definition: QueueDefinition, env: NodeJS.ProcessEnv) => {
  const source = env[queueUrlEnvName(definition)];
  const deadLetters = env[deadLetterQueueUrlEnvName(definition)];
  if (!source || !deadLetters) return { status: 'unconfigured' as const };
  const waiting = (await depth(sqs, deadLetters)) ?? 0;
  if (waiting === 0) return { status: 'empty' as const, moved: 0 };
  try {
    // SQS moves them itself, at its own pace, with no request waiting on it.
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: await arnOf(sqs, deadLetters),
        DestinationArn: await arnOf(sqs, source),
      }),
    );
    return { status: 'moving' as const, deadLetters: waiting, ...(TaskHandle && { taskHandle: TaskHandle }) };
  } catch (error) {
    if (!unsupported(error)) throw error;
  }
  const moved = await moveByHand(sqs, deadLetters, source);
  return { status: 'moved' as const, moved, left: Math.max(0, (await depth(sqs, deadLetters)) ?? 0) };
};

/** Moves the dead letters of one queue, or of every queue, back to their source queues. */
export const redriveDeadLetters = async (
  services: OperationsServices,
  principal: Principal,
  body: z.infer<typeof redriveBody>,
) => {
  authorize(principal, 'operations');
  const env = services.env ?? process.env;
  const chosen = queueDefinitions.filter((q) => body.queue === undefined || q.id === body.queue);
  const results: Record<string, Awaited<ReturnType<typeof redriveOne>>> = {};
  for (const definition of chosen) results[definition.id] = await redriveOne(services.sqs, definition, env);
  return { queues: results };
};
