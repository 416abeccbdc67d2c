/**
 * `lindung doctor` and `lindung redrive`: what is stuck, and moving dead letters back after a fix. Both ask the
 * API (`GET /v1/operations/stuck`, `POST /v1/operations/redrive`, admin only), which reads the ledger and the
 * queues where they live, locally and on AWS alike.
 */
import { parseArgs } from 'node:util';
import type { paths as Paths, Schemas } from '@lindung/api-client';
import { formatNumber } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';
import { renderTable } from './table.js';

/** What `GET /v1/operations/stuck` answers. */
export type StuckReport = Schemas['StuckReport'];

/** What `GET /health` says of the queues (the backlog the consumers, the projector's input included, face). */
interface Health {
  readonly sqs?: { readonly queues?: Record<string, { messages?: number; deadLetters?: number }> };
}

/** Whether anything needs a look: stuck villages, unanswered invoices or dead letters. */
export const isHealthy = (report: StuckReport): boolean =>
  report.unrolledVillages === 0 &&
  report.unanswered.length === 0 &&
  Object.values(report.deadLetters).every((n) => n === 0);

/** The doctor's findings, in words and tables. */
export const renderDoctor = (report: StuckReport, health?: Health): string => {
  const out: string[] = [`Lindung doctor, ${report.at} (period ${report.period})`, ''];
  if (report.unrolledVillages === 0) {
    out.push(`Roll: every active village has rolled through ${report.period}.`);
  } else {
    out.push(
      `Roll: ${formatNumber(report.unrolledVillages)} villages not rolled through ${report.period} yet ` +
        '(the hourly roll sends their work again):',
      renderTable([
        ['commitment', 'action', 'villages', 'first villages'],
        ...report.unrolled.map((u) => [
          u.commitmentId,
          u.action,
          formatNumber(u.villages),
          u.villageCodes.slice(0, 3).join(' '),
        ]),
      ]),
    );
  }
  out.push('');
  if (report.unanswered.length === 0) {
    out.push(`Billing: no invoice left unanswered for more than ${report.unansweredAfterMinutes} minutes.`);
  } else {
    out.push(
      `Billing: ${formatNumber(report.unanswered.length)} invoices unanswered for more than ` +
        `${report.unansweredAfterMinutes} minutes (the billing sweep sends them again):`,
      renderTable([
        ['invoice', 'village', 'period', 'status', 'last sent', 'sends'],
        ...report.unanswered
          .slice(0, 50)
          .map((i) => [
            i.numberText ?? `(draft) ${i.id}`,
            i.villageCode,
            i.period,
            i.status,
            i.lastSentAt,
            String(i.sendCount),
          ]),
      ]),
    );
  }
  out.push('');
  const queues = health?.sqs?.queues ?? {};
  out.push(
    'Queues:',
    renderTable([
      ['queue', 'waiting', 'dead letters'],
      ...Object.entries(report.deadLetters).map(([id, dead]) => [
        id,
        queues[id]?.messages === undefined ? '?' : formatNumber(queues[id]?.messages ?? 0),
        formatNumber(dead),
      ]),
    ]),
  );
  if (Object.values(report.deadLetters).some((n) => n > 0)) {
    out.push('', 'Dead letters failed every retry: fix the cause, then run `lindung redrive`.');
  }
  out.push(
    '',
    'Reports projector: its lag is not measurable through the API (on AWS see the IteratorAge alarm).',
    '',
    isHealthy(report) ? 'Nothing is stuck.' : 'Something is stuck: see above.',
  );
  return `${out.join('\n')}\n`;
};

const DOCTOR_USAGE = `Usage:
  lindung doctor [options]

Lists what is stuck (an administrator's task): villages the roll has not brought through the current month,
invoices billing has not answered, dead letters of every queue. Exits 1 when something is stuck.

Options:
  --older-than <minutes>     count an invoice unanswered after this many minutes (default 60)
  -h, --help                 show this help

${CONNECTION_USAGE}`;

const DOCTOR_OPTIONS = {
  'older-than': { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung doctor`. */
export const doctorCommand: Command = {
  summary: 'list what is stuck: unrolled villages, unanswered invoices, dead letters',
  usage: DOCTOR_USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: DOCTOR_OPTIONS, strict: true });
    const olderThan = values['older-than'];
    if (olderThan !== undefined && !/^\d+$/.test(olderThan)) {
      throw new UsageError('--older-than must be a whole number of minutes');
    }
    const client = await connect(values, { roles: ['admin'] }, io);
    const report = await client.send(
      client.api.GET('/v1/operations/stuck', {
        params: { query: olderThan === undefined ? {} : { olderThanMinutes: Number(olderThan) } },
        fetch: client.transport(3),
      }),
    );
    const health: Health | undefined = await client
      .send(client.api.GET('/health', { fetch: client.transport(3) }))
      .catch(() => undefined);
    io.stdout.write(renderDoctor(report, health));
    return isHealthy(report) ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};

/** What `POST /v1/operations/redrive` answers, per queue. */
export type RedriveAnswer = Schemas['RedriveResult'];

type RedriveBody = NonNullable<
  Paths['/v1/operations/redrive']['post']['requestBody']
>['content']['application/json'];

export const renderRedrive = (answer: RedriveAnswer): string =>
  `${Object.entries(answer.queues)
    .map(([id, r]) => {
      if (r.status === 'moving')
        return `${id}: moving ${formatNumber(r.deadLetters ?? 0)} dead letters back (SQS message move task)`;
      if (r.status === 'moved') {
        return `${id}: ${formatNumber(r.moved ?? 0)} dead letters moved back${r.left ? `, ${formatNumber(r.left)} left: run again` : ''}`;
      }
      return `${id}: ${r.status === 'empty' ? 'no dead letters' : r.status}`;
    })
    .join('\n')}\n`;

const REDRIVE_USAGE = `Usage:
  lindung redrive [--queue <id>] [options]

Moves the dead letters of a queue (or of every queue) back to it, after the cause of their failure is fixed.

Options:
  --queue <id>               renewal-work, billing-outbox or billing-inbox (default: all)
  -h, --help                 show this help

${CONNECTION_USAGE}`;

const REDRIVE_OPTIONS = {
  queue: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung redrive`. */
export const redriveCommand: Command = {
  summary: 'move dead letters back to their queues after a fix',
  usage: REDRIVE_USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: REDRIVE_OPTIONS, strict: true });
    const client = await connect(values, { roles: ['admin'] }, io);
    const answer = await client.send(
      client.api.POST('/v1/operations/redrive', {
        // The API names the queues it knows (422 for another), so that the CLI need not.
        body: (values.queue === undefined ? {} : { queue: values.queue }) as RedriveBody,
      }),
    );
    io.stdout.write(renderRedrive(answer));
    return EXIT_CODES.ok;
  },
};
