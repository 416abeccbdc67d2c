import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda handler as the local stack invokes it: the same `(event, context)` signature as on AWS. */
export type LambdaHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

/** What identifies one invocation; enough to rebuild its context on the other side of a thread boundary. */
export interface Invocation {
  readonly functionName: string;
  readonly memoryMb: number;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadline: number;
  readonly awsRequestId: string;
}

/** The Lambda context of an invocation. */
export const invocationContext = (invocation: Invocation): Context => {
  const { functionName, memoryMb, deadline, awsRequestId } = invocation;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-southeast-3:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** A Lambda context for one local invocation, with the function's timeout as the deadline. */
export const lambdaContext = (functionName: string, timeoutSeconds: number, memoryMb = 1024): Context =>
  invocationContext({
    functionName,
    memoryMb,
    deadline: Date.now() + timeoutSeconds * 1000,
    awsRequestId: randomUUID(),
  });
