/**
 * Stands in for `@smithy/core/event-streams` in every function bundle (an esbuild alias, see
 * infra/lib/lindung-function.ts). The SDK's protocol imports it dynamically for operations with an event
 * stream; DynamoDB and SQS have none, and esbuild inlines a dynamic import into a one-file bundle, so the
 * codec (about 13 KB) would ship in every function without ever running. An operation that needed it fails
 * loudly instead of silently doing without.
 */
const unbundled = (): never => {
  throw new Error('event streams are not bundled into Lindung functions (DynamoDB and SQS have none)');
};

export class EventStreamSerde {
  constructor() {
    unbundled();
  }
}

export const eventStreamSerdeProvider = unbundled;
