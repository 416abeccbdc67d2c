/**
 * What the benchmarks run against: the embedded local stack in this process (the same handlers the demo and
 * `npm start` run), a sponsor with its staff, and commitments with room for as many workers as measured.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LindungClient } from '@lindung/cli';
import { documentClient } from '@lindung/store';
import { functionDefinitions } from '../../functions/registry.js';
import { emulatorClients, type LocalStack, startLocalStack } from '../../packages/local/src/stack.js';

export const FULL_YEAR_PREMIUM = 201_600;

export interface BenchWorld {
  readonly stack: LocalStack;
  readonly sqs: SQSClient;
  /** A DynamoDB client of the benchmark's own (not the handlers'), and its document client. */
  readonly dynamodb: DynamoDBClient;
  readonly db: DynamoDBDocumentClient;
  readonly admin: LindungClient;
  readonly sponsorId: string;
  /** A client signed in with the given claims. */
  as(claims: Parameters<LocalStack['tokens']['issue']>[0]): Promise<LindungClient>;
  /** An active commitment of `fiscalYear` giving each village `perVillage` rupiah; resolves to its id. */
  commitment(fiscalYear: number, villages: readonly string[], perVillage: number): Promise<string>;
  /** Resolves once no queue holds a message waiting or in flight. */
  queuesIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the world; `withoutReports` leaves the stream projector of the reports out (to see its cost). */
export const startWorld = async ({ withoutReports = false } = {}): Promise<BenchWorld> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const stack = await startLocalStack({
    inMemory: true,
    httpPort: 0,
    ...(withoutReports && {
      functions: functionDefinitions.filter(
        (f) => !(f.trigger.kind === 'stream' && f.id.startsWith('reports')),
      ),
    }),
  });
  const { sqs, dynamodb } = emulatorClients(stack.dynamodbEndpoint, stack.sqsEndpoint);
  const as = async (claims: Parameters<LocalStack['tokens']['issue']>[0]) =>
    new LindungClient(stack.httpUrl, await stack.tokens.issue(claims));
  const admin = await as({ roles: ['admin'], sub: 'bench-admin' });
  const { id: sponsorId } = await admin.post<{ id: string }>('/v1/sponsors', {
    name: 'Provinsi Jambi (benchmark)',
    kind: 'province',
    regionCode: '15',
  });
  const officer = await as({ roles: ['sponsor-officer'], sponsorId, sub: 'bench-officer' });
  const approver = await as({ roles: ['sponsor-approver'], sponsorId, sub: 'bench-approver' });
  return {
    stack,
    sqs,
    dynamodb,
    db: documentClient(dynamodb),
    admin,
    sponsorId,
    as,
    async commitment(fiscalYear, villages, perVillage) {
      const draft = await officer.post<{ id: string }>('/v1/commitments', {
        sponsorId,
        fiscalYear,
        budget: { kind: 'fixed', amount: perVillage * villages.length },
        benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
        allocation: { method: 'equal', villages },
      });
      await approver.post(`/v1/commitments/${draft.id}/approve`, {});
      return draft.id;
    },
    async queuesIdle() {
      for (let interval = 50; ; interval = Math.min(500, interval * 2)) {
        let pending = 0;
        for (const queue of Object.values(stack.queues)) {
          const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queue.url,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          pending += Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
        }
        if (pending === 0) return;
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    },
    async stop() {
      sqs.destroy();
      dynamodb.destroy();
      await stack.stop();
    },
  };
};

const districtCounters = new Map<string, number>();

/**
 * NIKs of a village's district that never repeat in this process (villages of a district share its code):
 * the serial runs to 9999, then the birth date moves on a day (from 1 January 1980: workers in their forties
 * and fifties).
 */
export const nikSequence = (villageCode: string) => {
  const district = villageCode.replaceAll('.', '').slice(0, 6);
  return (): { nik: string; birthDate: string } => {
    const n = districtCounters.get(district) ?? 0;
    districtCounters.set(district, n + 1);
    const born = new Date(Date.UTC(1980, 0, 1 + Math.floor(n / 9_999)));
    const [year = '', month = '', day = ''] = born.toISOString().slice(0, 10).split('-');
    return {
      nik: `${district}${day}${month}${year.slice(2)}${String((n % 9_999) + 1).padStart(4, '0')}`,
      birthDate: `${year}-${month}-${day}`,
    };
  };
};
