/**
 * Bulk import jobs. A job is one item (state, counts, the cursor of the next chunk, a lease), its rows are
 * stored beside it in chunks of {@link IMPORT_CHUNK_ROWS}, and each chunk's per-row results are written in
 * the same transaction that moves the cursor past the chunk: a chunk counts once, whoever retries it.
 *
 * Item sizes (DynamoDB's limit is 400 KB): a stored row is at most a 16-digit NIK, a name of 200 UTF-16 units
 * (≤ 600 bytes of UTF-8) and a period, ≈ 670 bytes as JSON; an invalid row keeps at most
 * {@link IMPORT_TEXT_LIMIT} characters of why. So 500 rows stay under 340 KB, and 500 results (masked NIK,
 * code, message ≤ {@link IMPORT_TEXT_LIMIT}, enrollment id) under 250 KB.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { batchGetAll, batchWriteAll } from './client.js';
import {
  enrollmentKey,
  IMPORT_RESULTS_SK_PREFIX,
  importIdempotencyKey,
  importJobIndex,
  importJobKey,
  importResultsKey,
  importRowsKey,
  isStoreId,
} from './keys.js';
import { Transaction, TransactionRefused } from './transaction.js';

/** Rows per stored chunk, and so the work between two looks at the clock. */
export const IMPORT_CHUNK_ROWS = 500;
/** The most characters of a row's problem or refusal message that are kept. */
export const IMPORT_TEXT_LIMIT = 300;

/**
 * `receiving`: rows being stored; `queued`: stored, waiting for the worker; `running`: chunks being enrolled;
 * `done`: every row has its result.
 */
export type ImportJobState = 'receiving' | 'queued' | 'running' | 'done';

/** A row as stored for the worker: a worker to enroll, or why the row cannot be. */
export type StoredImportRow =
  | { readonly nik: string; readonly name?: string; readonly segment?: string; readonly startPeriod: string }
  | { readonly invalid: string; readonly nikMasked: string };

export interface ImportRowCounts {
  readonly total: number;
  readonly done: number;
  readonly enrolled: number;
  readonly refused: number;
}

export interface ImportJob {
  readonly id: string;
  readonly villageCode: string;
  readonly commitmentId: string;
  readonly state: ImportJobState;
  /** The subject who posted the import; the worker enrolls on their behalf. */
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly rows: ImportRowCounts;
  /** Refused rows per problem code. */
  readonly byCode: Readonly<Record<string, number>>;
  readonly chunks: number;
  /** The next chunk to process (0-based); `chunks` once done. */
  readonly cursor: number;
  /** The worker holding the job, and until when (epoch ms), while one does. */
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
}

/** The outcome of one row, as stored and as the API shows it (the NIK masked). */
export interface ImportRowResult {
  /** 1-based, in the order of the rows of the file. */
  readonly row: number;
  readonly nik: string;
  readonly outcome: 'enrolled' | 'refused';
  /** The status the single enrollment request would have answered. */
  readonly status: number;
  readonly enrollmentId?: string;
  readonly code?: string;
  readonly message?: string;
}

/** What a worker learns when it takes a chunk. */
export interface ChunkLease {
  readonly job: ImportJob;
  /** An earlier attempt began this chunk and did not finish it: some rows may be enrolled already. */
  readonly retried: boolean;
}

export class ImportJobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`No import job ${jobId}`);
    this.name = 'ImportJobNotFoundError';
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The enrollment id of one row of a job: the job's ULID time, then 16 characters of a hash of job and row.
 * Deterministic, so a retried row finds the enrollment an earlier attempt made, and shaped as a store id.
 */
export const importEnrollmentId = (jobId: string, row: number): string => {
  const digest = createHash('sha256').update(`${jobId}:${row}`).digest();
  const random = Array.from(digest.subarray(0, 16), (byte) => CROCKFORD[byte % 32]).join('');
  return `${jobId.slice(0, 10)}${random}`;
};

/** The hash under which a (scoped) `Idempotency-Key` is stored: the key itself names the caller. */
export const importKeyHash = (scopedKey: string): string =>
  createHash('sha256').update(scopedKey).digest('base64url');

const clip = (text: string) =>
  text.length > IMPORT_TEXT_LIMIT ? `${text.slice(0, IMPORT_TEXT_LIMIT - 1)}…` : text;

/** Clips the free texts of a stored row or result to {@link IMPORT_TEXT_LIMIT}. */
export const clipText = clip;

const JOB_FIELDS = [
  'id',
  'villageCode',
  'commitmentId',
  'state',
  'createdBy',
  'createdAt',
  'updatedAt',
  'finishedAt',
  'rows',
  'byCode',
  'chunks',
  'cursor',
  'leaseOwner',
  'leaseUntil',
] as const;

/** The job of an item; `byCode` is absent from the item until a row is refused (see {@link ImportJobRepository.create}). */
const toJob = (item: Record<string, unknown>): ImportJob =>
  ({
    byCode: {},
    ...Object.fromEntries(
      JOB_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
    ),
  }) as unknown as ImportJob;

const chunkOf = (row: number) => Math.floor((row - 1) / IMPORT_CHUNK_ROWS);

export interface NewImportJob {
  readonly villageCode: string;
  readonly commitmentId: string;
  readonly createdBy: string;
  readonly rows: number;
  readonly at: Date;
}

export class ImportJobRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates a job in `receiving`; with an idempotency key, in one transaction with the key's item, so that
   * a key names one job. Answers the job the key already names instead, if it does.
   */
  async create(input: NewImportJob, keyHash?: string): Promise<{ job: ImportJob; created: boolean }> {
    const at = input.at.toISOString();
    const job: ImportJob = {
      id: ulid(input.at.getTime()),
      villageCode: input.villageCode,
      commitmentId: input.commitmentId,
      state: 'receiving',
      createdBy: input.createdBy,
      createdAt: at,
      updatedAt: at,
      rows: { total: input.rows, done: 0, enrolled: 0, refused: 0 },
      byCode: {},
      chunks: Math.ceil(input.rows / IMPORT_CHUNK_ROWS),
      cursor: 0,
    };
    // No empty `byCode` map in the item: DynamoDB Local's stream hands an empty map to the reports projector
    // as an attribute value without a type, which fails the projector's batch. The first refused row sets it.
    const { byCode: _, ...stored } = job;
    const jobPut = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...importJobKey(job.id),
          ...importJobIndex(job.villageCode, at, job.id),
          entity: 'import-job',
          ...stored,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    if (!keyHash) {
      await new Transaction().add('job', jobPut).run(this.db);
      return { job, created: true };
    }
    try {
      await new Transaction()
        .add('key', {
          Put: {
            TableName: this.tableName,
            Item: { ...importIdempotencyKey(keyHash), entity: 'import-key', jobId: job.id, at },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })
        .add('job', jobPut)
        .run(this.db);
      return { job, created: true };
    } catch (error) {
      if (!(error instanceof TransactionRefused && error.failed('key'))) throw error;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: importIdempotencyKey(keyHash), ConsistentRead: true }),
    );
    const existing = Item && (await this.get(String(Item.jobId)));
    if (!existing) throw new ImportJobNotFoundError(String(Item?.jobId));
    return { job: existing, created: false };
  }

  /** Stores the rows of a job in chunks; writing them again (a retried request) writes the same items. */
  async putRows(jobId: string, rows: readonly StoredImportRow[]): Promise<void> {
    const items = [];
    for (let start = 0; start < rows.length; start += IMPORT_CHUNK_ROWS) {
      const chunk = start / IMPORT_CHUNK_ROWS;
      items.push({
        ...importRowsKey(jobId, chunk),
        entity: 'import-rows',
        firstRow: start + 1,
        // One string rather than a list of maps: smaller, and read whole anyway.
        rows: JSON.stringify(rows.slice(start, start + IMPORT_CHUNK_ROWS)),
      });
    }
    await this.batchWrite(items);
  }

  /** `receiving → queued`, once every row is stored. Answers the job as it is after. */
  async markQueued(jobId: string, at = new Date()): Promise<ImportJob> {
    try {
      const { Attributes = {} } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importJobKey(jobId),
          UpdateExpression: 'SET #state = :queued, updatedAt = :at',
          ConditionExpression: '#state = :receiving',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':receiving': 'receiving',
            ':at': at.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toJob(Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const job = await this.get(jobId);
      if (!job) throw new ImportJobNotFoundError(jobId);
      return job;
    }
  }

  /** A job, read consistently; `undefined` if there is none. */
  async get(jobId: string): Promise<ImportJob | undefined> {
    // Not an id this store makes (a ULID): no such job, and no key DynamoDB would refuse as too long.
    if (!isStoreId(jobId)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: importJobKey(jobId), ConsistentRead: true }),
    );
    return Item?.entity === 'import-job' ? toJob(Item) : undefined;
  }

  /** The stored rows of one chunk, with the number of its first row. */
  async rows(jobId: string, chunk: number): Promise<{ firstRow: number; rows: StoredImportRow[] }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: importRowsKey(jobId, chunk), ConsistentRead: true }),
    );
    if (!Item) throw new Error(`Import job ${jobId} has no stored chunk ${chunk}`);
    return { firstRow: Number(Item.firstRow), rows: JSON.parse(String(Item.rows)) as StoredImportRow[] };
  }

  /**
   * Takes chunk `chunk` of a job for `owner` until `leaseUntil` (epoch ms): only if the job's cursor is at that
   * chunk, the job is not done, and no other owner holds an unexpired lease. `undefined` if not taken.
   */
  async begin(
    jobId: string,
    chunk: number,
    owner: string,
    leaseUntil: number,
    now = Date.now(),
  ): Promise<ChunkLease | undefined> {
    try {
      const { Attributes = {} } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importJobKey(jobId),
          UpdateExpression:
            'SET #state = :running, leaseOwner = :owner, leaseUntil = :until, startedChunk = :chunk, updatedAt = :at',
          ConditionExpression:
            '#cursor = :chunk AND #state IN (:queued, :running) AND ' +
            '(attribute_not_exists(leaseOwner) OR leaseOwner = :owner OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state', '#cursor': 'cursor' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':queued': 'queued',
            ':owner': owner,
            ':until': leaseUntil,
            ':chunk': chunk,
            ':now': now,
            ':at': new Date(now).toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return {
        job: toJob({ ...Attributes, state: 'running' }),
        retried: Attributes.startedChunk === chunk && Attributes.leaseOwner !== owner,
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Records the results of chunk `chunk` and moves the cursor past it, in one transaction conditioned on the
   * cursor still being there and `owner` holding the lease. Answers the job after, or `undefined` if the
   * chunk was not this owner's to complete (nothing is written then).
   */
  async complete(
    jobId: string,
    chunk: number,
    owner: string,
    results: readonly ImportRowResult[],
    at = new Date(),
  ): Promise<ImportJob | undefined> {
    const enrolled = results.filter((r) => r.outcome === 'enrolled').length;
    const byCode = new Map<string, number>();
    for (const { code, outcome } of results) {
      if (outcome === 'refused') byCode.set(code ?? 'unknown', (byCode.get(code ?? 'unknown') ?? 0) + 1);
    }
    const codes = [...byCode.entries()];
    const job = await this.get(jobId);
    if (!job) throw new ImportJobNotFoundError(jobId);
    const last = chunk + 1 >= job.chunks;
    // The first refused rows set the job's counts per code, later ones add to them. The condition on the
    // cursor keeps `job` as read current: only the completion of this chunk changes `byCode` now.
    const incremental = codes.length > 0 && Object.keys(job.byCode).length > 0;
    const update = [
      '#cursor = :next',
      '#rows.done = #rows.done + :done',
      '#rows.enrolled = #rows.enrolled + :enrolled',
      '#rows.refused = #rows.refused + :refused',
      'updatedAt = :at',
      ...(incremental
        ? codes.map((_, i) => `byCode.#c${i} = if_not_exists(byCode.#c${i}, :zero) + :n${i}`)
        : codes.length > 0
          ? ['byCode = :codes']
          : []),
      ...(last ? ['#state = :finished', 'finishedAt = :at'] : []),
    ];
    try {
      await new Transaction()
        .add('job', {
          Update: {
            TableName: this.tableName,
            Key: importJobKey(jobId),
            UpdateExpression: `SET ${update.join(', ')}${last ? ' REMOVE leaseOwner, leaseUntil' : ''}`,
            ConditionExpression: '#cursor = :chunk AND leaseOwner = :owner',
            ExpressionAttributeNames: {
              '#cursor': 'cursor',
              '#rows': 'rows',
              ...(last && { '#state': 'state' }),
              ...(incremental && Object.fromEntries(codes.map(([code], i) => [`#c${i}`, code]))),
            },
            ExpressionAttributeValues: {
              ':chunk': chunk,
              ':next': chunk + 1,
              ':owner': owner,
              ':done': results.length,
              ':enrolled': enrolled,
              ':refused': results.length - enrolled,
              ':at': at.toISOString(),
              ...(last && { ':finished': 'done' }),
              ...(incremental
                ? { ':zero': 0, ...Object.fromEntries(codes.map(([, count], i) => [`:n${i}`, count])) }
                : codes.length > 0 && { ':codes': Object.fromEntries(codes) }),
            },
          },
        })
        .add('results', {
          Put: {
            TableName: this.tableName,
            Item: {
              ...importResultsKey(jobId, chunk),
              entity: 'import-results',
              firstRow: chunk * IMPORT_CHUNK_ROWS + 1,
              results: JSON.stringify(results),
            },
          },
        })
        .run(this.db);
    } catch (error) {
      if (error instanceof TransactionRefused && error.failed('job')) return undefined;
      throw error;
    }
    return this.get(jobId);
  }

  /** Gives the lease up, so the message that carries the job on need not wait for it to expire. */
  async release(jobId: string, owner: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importJobKey(jobId),
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Results from row `fromRow` on, at most `limit` of them, optionally of one outcome only; reads at most
   * `maxChunks` chunks, so a page may be short. `nextRow` is where the next page starts, if there is more.
   */
  async results(
    jobId: string,
    fromRow: number,
    limit: number,
    outcome?: ImportRowResult['outcome'],
    maxChunks = 10,
  ): Promise<{ items: ImportRowResult[]; nextRow?: number }> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': importJobKey(jobId).pk,
          ':from': importResultsKey(jobId, chunkOf(fromRow)).sk,
          ':to': `${IMPORT_RESULTS_SK_PREFIX}~`,
        },
        Limit: maxChunks,
        ConsistentRead: true,
      }),
    );
    const items: ImportRowResult[] = [];
    let lastRow = fromRow - 1;
    for (const item of Items) {
      for (const result of JSON.parse(String(item.results)) as ImportRowResult[]) {
        if (result.row < fromRow) continue;
        if (items.length >= limit) return { items, nextRow: lastRow + 1 };
        lastRow = result.row;
        if (!outcome || result.outcome === outcome) items.push(result);
      }
    }
    // More chunks may follow the ones read; the job's counts say whether the rows after are done yet.
    const job = await this.get(jobId);
    return lastRow < (job?.rows.done ?? 0) ? { items, nextRow: lastRow + 1 } : { items };
  }

  /** Of these enrollment ids of one allocation, the ones that exist (rows an earlier attempt enrolled). */
  async existingEnrollments(
    commitmentId: string,
    villageCode: string,
    ids: readonly string[],
  ): Promise<Set<string>> {
    const keys = ids.map((id) => enrollmentKey(commitmentId, villageCode, id));
    const items = await batchGetAll(this.db, this.tableName, keys, 'id');
    return new Set(items.map((item) => String(item.id)));
  }

  /** Whether the enrollment of this id exists (read consistently). */
  async enrollmentExists(commitmentId: string, villageCode: string, id: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: enrollmentKey(commitmentId, villageCode, id),
        ConsistentRead: true,
        ProjectionExpression: 'id',
      }),
    );
    return Item !== undefined;
  }

  private async batchWrite(items: readonly Record<string, unknown>[]): Promise<void> {
    await batchWriteAll(
      this.db,
      this.tableName,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
  }
}
