/**
 * A DynamoDB document client alone, for functions that use no queue: importing shared/clients.ts would also
 * bundle the SQS client (the bundle test holds each function to the clients its access needs).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '@lindung/store';

export const dynamodbDocumentClient = documentClient(new DynamoDBClient({}));
