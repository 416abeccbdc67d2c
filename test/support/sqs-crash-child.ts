/**
 * Run as a child process by the SQS durability test: puts the persistent local SQS emulator on the data
 * folder given as argument into a known state (a message in flight, one deleted, one dead-lettered, one
 * ready, one delayed), prints READY and waits to be killed with SIGKILL.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startSqsLocal } from '../../packages/local/src/sqs-local.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: sqs-crash-child.ts <data dir>');
const server = await startSqsLocal({ port: 0, dataDir });
const sqs = new SQSClient({
  endpoint: server.endpoint,
  region: 'ap-southeast-3',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});
const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'durable-dlq' }));
const { Attributes } = await sqs.send(
  new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
);
const { QueueUrl } = await sqs.send(
  new CreateQueueCommand({
    QueueName: 'durable',
    Attributes: {
      VisibilityTimeout: '300',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
    },
  }),
);
const send = (body: string, delay = 0) =>
  sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, DelaySeconds: delay }));
const receiveOne = async (visibility?: number) => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 1,
      ...(visibility !== undefined && { VisibilityTimeout: visibility }),
    }),
  );
  return Messages[0];
};

await send('in-flight');
if ((await receiveOne())?.Body !== 'in-flight') throw new Error('expected the in-flight message');
await send('deleted');
const deleted = await receiveOne();
await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: deleted?.ReceiptHandle }));
await send('dead-lettered');
await receiveOne(0); // failed: back to the queue at once
await receiveOne(0); // failed again
await receiveOne(); // over maxReceiveCount: fauxqs moves it to the DLQ
await send('ready');
await send('delayed', 900);
console.log('READY');
await new Promise(() => undefined);
