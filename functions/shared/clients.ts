/**
 * SDK clients created once per Lambda execution environment (module scope), reused across invocations.
 * Endpoints come from the standard `AWS_ENDPOINT_URL_*` variables, which the local stack sets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const dynamodbClient = new DynamoDBClient({});

// Local queue URLs name the emulator's host; the SDK must not rewrite them to the AWS endpoint.
export const sqsClient = new SQSClient({ useQueueUrlAsEndpoint: false });
