// The pack's policies: each a name, what it guards, and the rule (policy/rules/, pure functions of
// resource properties) wired to @pulumi/policy's validation callbacks. Resource policies see a
// resource's inputs before it is created or updated; stack policies see every resource's outputs at the
// end of a preview or update, which they need where a rule spans resources (a bucket and its policy).

import type {
  Policies,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidation,
} from "@pulumi/policy";
import { pointInTimeRecoveryProblem, TABLE_TYPE } from "./rules/dynamodb";
import { publicIpProblem, TASK_LAUNCHER_TYPES } from "./rules/fargate";
import { IAM_DOCUMENT_TYPES, passRoleProblems, wildcardActionProblems } from "./rules/iam";
import {
  FUNCTION_TYPE,
  functionLogGroupProblem,
  LOG_GROUP_TYPE,
  logGroupRetentionProblem,
} from "./rules/logs";
import { type Props, readProp } from "./rules/props";
import { encryptionViolations, publicAccessViolations, tlsViolations } from "./rules/s3";
import {
  batchItemFailureViolations,
  deadLetterViolations,
  QUEUE_TYPE,
  queueEncryptionProblem,
} from "./rules/sqs";
import type { StackResource, Violation } from "./rules/stack";

export const PACK_NAME = "video-jobs";

/** The policy whose config marks a stack production (policy/config/<stack>.json). */
export const PRODUCTION_POLICY = "fargate-no-public-ip-in-production";

type ResourceCheck = (type: string, name: string, props: Props) => string | readonly string[] | undefined;

/** A resource validation of the given types reporting each problem `check` finds. */
function forTypes(types: readonly string[], check: ResourceCheck): ResourceValidation {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (!types.includes(args.type)) return;
    for (const problem of [check(args.type, args.name, args.props)].flat()) {
      if (problem !== undefined) reportViolation(problem);
    }
  };
}

/** A stack validation reporting each violation against its resource. */
function acrossStack(check: (resources: readonly StackResource[]) => Violation[]): StackValidation {
  return (args, reportViolation) => {
    for (const violation of check(args.resources)) reportViolation(violation.message, violation.urn);
  };
}

/** Whether the policy config marks the stack production (`{ "production": true }`). */
export function markedProduction(config: unknown): boolean {
  return readProp(config, "production") === true;
}

export const POLICIES: Policies = [
  {
    name: "s3-bucket-private",
    description:
      "S3 buckets block every kind of public access (a public access block with all four settings on) and grant no public ACL.",
    validateStack: acrossStack(publicAccessViolations),
  },
  {
    name: "s3-bucket-encrypted",
    description: "S3 buckets encrypt objects by default (SSE-S3 or SSE-KMS).",
    validateStack: acrossStack(encryptionViolations),
  },
  {
    name: "s3-bucket-tls-only",
    description: "S3 bucket policies deny every request not made over TLS (aws:SecureTransport false).",
    validateStack: acrossStack(tlsViolations),
  },
  {
    name: "sqs-queue-encrypted",
    description: "SQS queues are encrypted at rest (SSE-SQS or a KMS key).",
    validateResource: forTypes([QUEUE_TYPE], (_type, name, props) => queueEncryptionProblem(name, props)),
  },
  {
    name: "sqs-queue-dead-letter",
    description:
      "Every SQS queue has a dead-letter queue (redrive policy) or is one, so no message is retried forever or lost.",
    validateStack: acrossStack(deadLetterViolations),
  },
  {
    name: "sqs-event-source-batch-item-failures",
    description:
      "Lambda event sources reading SQS report batch item failures, so only the failed messages of a batch are retried.",
    validateStack: acrossStack(batchItemFailureViolations),
  },
  {
    name: "iam-no-wildcard-actions",
    description: "IAM and resource policies allow no wildcard action (and no Allow with NotAction).",
    validateResource: forTypes(IAM_DOCUMENT_TYPES, wildcardActionProblems),
  },
  {
    name: "iam-passrole-conditioned",
    description:
      "iam:PassRole is allowed only on named roles and only to a named service (iam:PassedToService).",
    validateResource: forTypes(IAM_DOCUMENT_TYPES, passRoleProblems),
  },
  {
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery on.",
    validateResource: forTypes([TABLE_TYPE], (_type, name, props) => pointInTimeRecoveryProblem(name, props)),
  },
  {
    name: "log-group-retention",
    description:
      "CloudWatch log groups have a retention, and Lambda functions log to such a group rather than Lambda's default one.",
    validateResource: [
      forTypes([LOG_GROUP_TYPE], (_type, name, props) => logGroupRetentionProblem(name, props)),
      forTypes([FUNCTION_TYPE], (_type, name, props) => functionLogGroupProblem(name, props)),
    ],
  },
  {
    name: PRODUCTION_POLICY,
    description:
      "On a stack marked production, Fargate tasks get no public IP (ECS services, EventBridge and Scheduler targets, the dispatcher's RunTask).",
    configSchema: {
      properties: {
        production: {
          type: "boolean",
          default: false,
          description: "The stack is production: its Fargate tasks must run without a public IP.",
        },
      },
    },
    validateResource: (args, reportViolation) => {
      if (!TASK_LAUNCHER_TYPES.includes(args.type)) return;
      if (!markedProduction(args.getConfig())) {
        args.notApplicable("the stack is not marked production (policy/config/<stack>.json)");
      }
      const problem = publicIpProblem(args.type, args.name, args.props);
      if (problem !== undefined) reportViolation(problem);
    },
  },
];
