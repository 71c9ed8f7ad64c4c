// SQS queues encrypted at rest; every queue either sending its poison messages to a dead-letter queue or
// being one; and Lambda's SQS event sources reporting batch item failures, so one failing message is
// retried alone instead of redelivering (and re-running) its whole batch.

import { isSet, jsonDocument, type Props, readProp, stringsOf, UNKNOWN, valueAt } from "./props";
import { ofTypes, refersTo, type StackResource, type Violation } from "./stack";

export const QUEUE_TYPE = "aws:sqs/queue:Queue";
export const REDRIVE_POLICY_TYPE = "aws:sqs/redrivePolicy:RedrivePolicy";
export const EVENT_SOURCE_MAPPING_TYPE = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** Why a queue (its inputs) is not encrypted at rest, or undefined. */
export function queueEncryptionProblem(name: string, props: Props): string | undefined {
  if (isSet(readProp(props, "kmsMasterKeyId")) || valueAt(props, "sqsManagedSseEnabled") === true) {
    return undefined;
  }
  return `SQS queue "${name}" is not encrypted at rest. Fix: set sqsManagedSseEnabled: true (SSE-SQS), or kmsMasterKeyId to a KMS key.`;
}

/** Where a resource names a queue as the place its failed messages or events go. */
interface DeadLetterUse {
  readonly property: string;
  readonly targetArn: (props: Props) => unknown;
}

/** The dead-letter target named by a redrive policy (JSON text, or an object in typed inputs). */
const redriveTarget = (props: Props) => {
  const policy = readProp(props, "redrivePolicy");
  return policy === UNKNOWN ? UNKNOWN : readProp(jsonDocument(policy), "deadLetterTargetArn");
};

const DEAD_LETTER_USES: Readonly<Record<string, DeadLetterUse>> = {
  [QUEUE_TYPE]: { property: "redrivePolicy", targetArn: redriveTarget },
  [REDRIVE_POLICY_TYPE]: { property: "redrivePolicy", targetArn: redriveTarget },
  "aws:sns/topicSubscription:TopicSubscription": { property: "redrivePolicy", targetArn: redriveTarget },
  "aws:cloudwatch/eventTarget:EventTarget": {
    property: "deadLetterConfig",
    targetArn: (props) => readProp(props, "deadLetterConfig", "arn"),
  },
  "aws:lambda/function:Function": {
    property: "deadLetterConfig",
    targetArn: (props) => readProp(props, "deadLetterConfig", "targetArn"),
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    property: "destinationConfig",
    targetArn: (props) => readProp(props, "destinationConfig", "onFailure", "destination"),
  },
  [EVENT_SOURCE_MAPPING_TYPE]: {
    property: "destinationConfig",
    targetArn: (props) => readProp(props, "destinationConfig", "onFailure", "destinationArn"),
  },
};

/** Every queue has a dead-letter queue (a redrive policy) or is one (something's failure destination). */
export function deadLetterViolations(resources: readonly StackResource[]): Violation[] {
  const queues = ofTypes(resources, [QUEUE_TYPE]);
  return queues
    .filter((queue) => !hasDeadLetterQueue(queue, resources) && !isDeadLetterQueue(queue, resources))
    .map((queue) => ({
      urn: queue.urn,
      message: `SQS queue "${queue.name}" has no dead-letter queue and is not one. Fix: set redrivePolicy to JSON { deadLetterTargetArn: <DLQ ARN>, maxReceiveCount: 5 } naming a dead-letter queue, or use this queue as one (another queue's redrivePolicy, an EventBridge target's deadLetterConfig, a Lambda on-failure destination).`,
    }));
}

function hasDeadLetterQueue(queue: StackResource, resources: readonly StackResource[]): boolean {
  if (isSet(redriveTarget(queue.props))) return true;
  return ofTypes(resources, [REDRIVE_POLICY_TYPE]).some((policy) =>
    refersTo(policy, "queueUrl", queue, (props) => readProp(props, "queueUrl"), ["url", "id"]),
  );
}

function isDeadLetterQueue(queue: StackResource, resources: readonly StackResource[]): boolean {
  return resources.some((resource) => {
    const use = DEAD_LETTER_USES[resource.type];
    return (
      use !== undefined &&
      resource !== queue &&
      refersTo(resource, use.property, queue, use.targetArn, ["arn"])
    );
  });
}

/** Event source mappings reading an SQS queue report batch item failures. */
export function batchItemFailureViolations(resources: readonly StackResource[]): Violation[] {
  const queues = ofTypes(resources, [QUEUE_TYPE]);
  return ofTypes(resources, [EVENT_SOURCE_MAPPING_TYPE])
    .filter((mapping) => readsQueue(mapping, queues))
    .filter((mapping) => !stringsOf(mapping.props.functionResponseTypes).includes("ReportBatchItemFailures"))
    .map((mapping) => ({
      urn: mapping.urn,
      message: `Lambda event source mapping "${mapping.name}" reads an SQS queue without reporting batch item failures. Fix: set functionResponseTypes: ["ReportBatchItemFailures"] and return { batchItemFailures } from the handler, so only the failed messages are retried.`,
    }));
}

function readsQueue(mapping: StackResource, queues: readonly StackResource[]): boolean {
  const sourceArn = readProp(mapping.props, "eventSourceArn");
  if (typeof sourceArn === "string" && /^arn:[^:]+:sqs:/.test(sourceArn)) return true;
  return queues.some((queue) =>
    refersTo(mapping, "eventSourceArn", queue, (props) => readProp(props, "eventSourceArn"), ["arn"]),
  );
}
