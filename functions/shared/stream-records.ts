/**
 * The DynamoDB stream event as the reports projector reads it, with its item images unmarshalled: the same
 * result as Powertools' `DynamoDBStreamSchema` (and its `unmarshallDynamoDB`), declared here because
 * Powertools' parser schemas `import { z } from 'zod'`, which keeps all of zod (its 64 locales and the
 * JSON Schema reader, about 300 KB) in the bundle, where `zod/mini` keeps only the checks used.
 */
import { unmarshallDynamoDB } from '@aws-lambda-powertools/commons/utils/unmarshallDynamoDB';
import * as z from 'zod/mini';

type AttributeMap = Parameters<typeof unmarshallDynamoDB>[0];

const image = (name: string) =>
  z.pipe(
    z.record(z.string(), z.any()),
    z.transform((value, ctx): Record<string, unknown> => {
      try {
        return unmarshallDynamoDB(value as AttributeMap) as Record<string, unknown>;
      } catch {
        ctx.issues.push({
          code: 'custom',
          message: `Could not unmarshall ${name} in DynamoDB stream record`,
          input: value,
        });
        return z.NEVER;
      }
    }),
  );

const DynamoDBStreamRecordSchema = z.object({
  eventID: z.string(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  eventSource: z.literal('aws:dynamodb'),
  eventSourceARN: z.string(),
  dynamodb: z.object({
    Keys: image('Keys'),
    NewImage: z.optional(image('NewImage')),
    OldImage: z.optional(image('OldImage')),
    SequenceNumber: z.string(),
    StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']),
  }),
});

/** A DynamoDB stream event (Lambda's event source mapping) with `Keys`, `NewImage`, `OldImage` unmarshalled. */
export const DynamoDBStreamSchema = z.object({ Records: z.array(DynamoDBStreamRecordSchema) });
