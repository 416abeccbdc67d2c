import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '@lindung/core';

/** A document client that drops `undefined` attributes; one per execution environment. */
export const documentClient = (client: DynamoDBClient = new DynamoDBClient({})) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** The reason codes of a cancelled transaction, by action index (`None` for the actions that passed). */
export const cancellationReasons = (error: unknown) =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : undefined;

/** An opaque page token for a `LastEvaluatedKey`. */
export const encodePageToken = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** Reads a page token back; a tampered or foreign token is a validation error, never a crash. */
export const decodePageToken = (token: string | undefined): Record<string, unknown> | undefined => {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // falls through to the validation error
  }
  throw ValidationError.forField('pageToken', 'is not a page token issued by this API');
};
