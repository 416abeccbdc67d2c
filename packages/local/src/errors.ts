/** A start-up problem the user can fix; printed without a stack trace. */
export class LocalStackError extends Error {
  constructor(
    message: string,
    /** What to do about it, printed under the message. */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LocalStackError';
  }
}
