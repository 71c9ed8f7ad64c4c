// SQS settings derived from the consumer, as pure functions.

/**
 * AWS's rule for SQS event sources: a visibility timeout of at least six times the function timeout,
 * so a message is not redelivered while a throttled or retried invocation may still process it.
 */
export const VISIBILITY_TO_FUNCTION_TIMEOUT_RATIO = 6;

/** SQS caps the visibility timeout at 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export function visibilityTimeoutFor(functionTimeoutSeconds: number): number {
  const seconds = functionTimeoutSeconds * VISIBILITY_TO_FUNCTION_TIMEOUT_RATIO;
  if (seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new Error(
      `a ${functionTimeoutSeconds}s consumer timeout needs a ${seconds}s visibility timeout, above the SQS maximum`,
    );
  }
  return seconds;
}

/** The redrive policy of a queue, as the JSON string SQS stores. */
export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount });
}
