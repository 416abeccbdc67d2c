import { type QueueDefinition, queueUrlEnvName } from './queues.js';

/** The URL of a queue, as the deployment (CDK or the local stack) put it in the environment. */
export const queueUrlFromEnv = (queue: QueueDefinition, env: NodeJS.ProcessEnv = process.env): string => {
  const url = env[queueUrlEnvName(queue)];
  if (!url)
    throw new Error(`${queueUrlEnvName(queue)} is not set: the deployment must name the ${queue.id} queue`);
  return url;
};
