/**
 * A DynamoDB transaction as a list of named actions. When DynamoDB cancels it, the reasons are reported by
 * action name (`TransactionRefused.failed('allocation')`), never by position, so adding an action cannot
 * change which domain error a caller raises. A cancellation for a conflict with a concurrent transaction
 * alone is retried with the code base's one retry policy (a cancelled transaction wrote nothing).
 */
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, retryOnTransactionConflict } from './client.js';

/** One action of a transaction (`Put`, `Update`, `Delete` or `ConditionCheck`). */
export type TransactionAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction DynamoDB cancelled: its reasons by action name. */
export class TransactionRefused extends Error {
  override readonly name = 'TransactionRefused';
  constructor(
    readonly reasons: ReadonlyMap<string, CancellationReason>,
    options?: ErrorOptions,
  ) {
    super(
      `Transaction cancelled: ${[...reasons].map(([name, reason]) => `${name} ${reason.Code}`).join(', ')}`,
      options,
    );
  }

  /** The reason of the named action if its condition failed (with the old item when it asked for it). */
  failed(name: string): CancellationReason | undefined {
    const reason = this.reasons.get(name);
    return reason?.Code === 'ConditionalCheckFailed' ? reason : undefined;
  }

  /** The names of the actions whose condition failed. */
  get failedActions(): string[] {
    return [...this.reasons].filter(([, r]) => r.Code === 'ConditionalCheckFailed').map(([name]) => name);
  }
}

/** A transaction being composed: `new Transaction().add('allocation', …).add('ledger', …).run(db)`. */
export class Transaction {
  private readonly actions: { readonly name: string; readonly action: TransactionAction }[] = [];

  /** Adds an action under a name unique in this transaction. */
  add(name: string, action: TransactionAction): this {
    if (this.actions.some((a) => a.name === name)) throw new Error(`Two actions named ${name}`);
    this.actions.push({ name, action });
    return this;
  }

  /** Runs it (again while only a concurrent transaction got in the way); throws `TransactionRefused`. */
  async run(db: DynamoDBDocumentClient): Promise<void> {
    const command = new TransactWriteCommand({ TransactItems: this.actions.map((a) => a.action) });
    try {
      await retryOnTransactionConflict(() => db.send(command));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const named = new Map(this.actions.map((a, i) => [a.name, reasons[i] ?? { Code: 'None' }]));
      throw new TransactionRefused(named, { cause: error });
    }
  }
}
