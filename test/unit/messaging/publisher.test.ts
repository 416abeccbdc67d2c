import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MessagesNotAcceptedError, publisher } from '@lindung/messaging';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';

const sqs = new SQSClient({ region: 'ap-southeast-3' });
const mock = mockClient(sqs);
const schema = z.object({ n: z.number() });
const sentIds = () =>
  mock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.map((e) => e.Id));

describe('publisher', () => {
  beforeEach(() => mock.reset());

  it('sends again only the entries SQS did not accept', async () => {
    // Prepare: the first request throttles entry 1, the second accepts it.
    mock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'ThrottlingException', SenderFault: false }] })
      .resolves({ Failed: [] });

    // Act
    await publisher(sqs, 'queue', schema).send([{ n: 1 }, { n: 2 }, { n: 3 }]);

    // Assess
    expect(sentIds()).toEqual([['0', '1', '2'], ['1']]);
  });

  it('gives up after five attempts with the codes SQS gave', async () => {
    // Prepare
    mock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });

    // Act
    const failure = await publisher(sqs, 'queue', schema)
      .send([{ n: 1 }])
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(MessagesNotAcceptedError);
    expect((failure as Error).message).toBe('SQS did not accept 1 messages: InternalError');
    expect(sentIds()).toHaveLength(5);
  });
});
