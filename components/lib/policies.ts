// Every IAM and resource policy of the pipeline as pure functions of ARNs, so the least-privilege
// rules (no wildcard actions, resources scoped to this stack) are visible in one place and tested
// without mocks. Components only feed resolved ARNs in and JSON out.

import { OUTCOME_FILE_PATTERN } from "../../contracts/outcome-schema";
import {
  type AwsContext,
  clusterTasksArn,
  ecsSourceArn,
  logStreamsArn,
  taskDefinitionFamilyArn,
} from "./arns";

export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource?: readonly string[];
  readonly Principal?: "*" | { readonly Service: string } | { readonly AWS: string };
  readonly Condition?: Condition;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

// ---- trust policies ------------------------------------------------------------------------------

export function lambdaAssumeRolePolicy(): PolicyDocument {
  return policyDocument({
    Sid: "LambdaAssumesRole",
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: ["sts:AssumeRole"],
  });
}

export interface EcsTasksTrustOptions {
  /**
   * Add AWS's confused-deputy conditions: only ECS tasks of this account and region may assume the
   * role. Right for the task role; the execution role is assumed by ECS itself, outside any task.
   */
  readonly limitToThisAccount: boolean;
}

/** Trust for ECS tasks, e.g. `ecsTasksAssumeRolePolicy(aws, { limitToThisAccount: true })`. */
export function ecsTasksAssumeRolePolicy(aws: AwsContext, options: EcsTasksTrustOptions): PolicyDocument {
  return policyDocument({
    Sid: "EcsTasksAssumeRole",
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: ["sts:AssumeRole"],
    ...(options.limitToThisAccount && {
      Condition: {
        ArnLike: { "aws:SourceArn": ecsSourceArn(aws) },
        StringEquals: { "aws:SourceAccount": aws.accountId },
      },
    }),
  });
}

// ---- handler roles -------------------------------------------------------------------------------

export const JOBS_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:Query",
] as const;

export function jobsTableStatement(tableArn: string): PolicyStatement {
  return {
    Sid: "JobsTable",
    Effect: "Allow",
    Action: JOBS_TABLE_ACTIONS,
    Resource: [tableArn, `${tableArn}/index/*`],
  };
}

export function writeLogsStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [logStreamsArn(logGroupArn)],
  };
}

export const CAPACITY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  // Whether a job holds a slot in any shard: one consistent BatchGetItem of the shards.
  "dynamodb:BatchGetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
] as const;

/** The running-task slots and the launch rate's bucket: items of the capacity table, never a Query or Scan. */
export function capacityTableStatement(capacityTableArn: string): PolicyStatement {
  return {
    Sid: "CapacityTable",
    Effect: "Allow",
    Action: CAPACITY_TABLE_ACTIONS,
    Resource: [capacityTableArn],
  };
}

export interface LauncherPermissionsArgs {
  readonly aws: AwsContext;
  readonly tableArn: string;
  /** The capacity table: slots under maxRunningTasks and the shared launch rate. */
  readonly capacityTableArn: string;
  readonly queueArn: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly taskFamily: string;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
}

/**
 * What every Lambda that launches worker tasks may do (the dispatcher, the task-state handler starting waiting
 * jobs into a freed slot, the sweeper): jobs and capacity tables, retries, RunTask of the worker family on
 * this cluster, and passing the worker's roles to it.
 */
export function launcherPermissions(args: LauncherPermissionsArgs): PolicyStatement[] {
  return [
    jobsTableStatement(args.tableArn),
    capacityTableStatement(args.capacityTableArn),
    // A launch that ECS refused is retried later through a retry message on the jobs queue.
    { Sid: "SendRetries", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [args.queueArn] },
    {
      Sid: "RunWorkerTask",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: [taskDefinitionFamilyArn(args.aws, args.taskFamily)],
      Condition: { ArnEquals: { "ecs:cluster": args.clusterArn } },
    },
    {
      Sid: "TagWorkerTaskAtLaunch",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: [clusterTasksArn(args.aws, args.clusterName)],
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    },
    // A task launched for a job cancelled meanwhile is stopped at once.
    {
      Sid: "StopWorkerTask",
      Effect: "Allow",
      Action: ["ecs:StopTask"],
      Resource: [clusterTasksArn(args.aws, args.clusterName)],
      Condition: { ArnEquals: { "ecs:cluster": args.clusterArn } },
    },
    {
      Sid: "PassWorkerRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [args.taskRoleArn, args.executionRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
  ];
}

/** What the dispatcher may do besides writing its logs: launch, and consume the jobs queue. */
export function dispatcherPermissions(args: LauncherPermissionsArgs): PolicyStatement[] {
  return [
    ...launcherPermissions(args),
    {
      Sid: "ConsumeJobsQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [args.queueArn],
    },
  ];
}

export interface TaskStatePermissionsArgs extends LauncherPermissionsArgs {
  readonly deadLetterQueueArn: string;
  /** The bucket the workers write to, and the prefix of the jobs' outputs in it. */
  readonly bucketArn: string;
  readonly outputPrefix: string;
}

/**
 * What the task-state handler may do besides writing its logs: launch (a stopped task frees a slot, and it
 * starts waiting jobs into it), read outcome files, and set aside events it failed on. It does not consume
 * the jobs queue.
 */
export function taskStatePermissions(args: TaskStatePermissionsArgs): PolicyStatement[] {
  return [
    ...launcherPermissions(args),
    // Lambda's on-failure destination for events the function itself failed on, after its own retries.
    {
      Sid: "SendFailedEvents",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [args.deadLetterQueueArn],
    },
    readWorkerOutcomesStatement(args.bucketArn, args.outputPrefix),
  ];
}

/** What the worker said about an attempt: its outcome files, not the results or the inputs. */
export function readWorkerOutcomesStatement(bucketArn: string, outputPrefix: string): PolicyStatement {
  return {
    Sid: "ReadWorkerOutcomes",
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: [`${bucketArn}/${outputPrefix}*/${OUTCOME_FILE_PATTERN}`],
  };
}

export interface SweeperPermissionsArgs extends LauncherPermissionsArgs {
  /** The bucket the workers write to, and the prefix of the jobs' outputs in it (outcome files). */
  readonly bucketArn: string;
  readonly outputPrefix: string;
}

/**
 * What the sweeper may do besides writing its logs: launch (it resumes launches and starts waiting jobs),
 * plus looking at and stopping this cluster's tasks. It does not consume the jobs queue.
 */
export function sweeperPermissions(args: SweeperPermissionsArgs): PolicyStatement[] {
  const launching = launcherPermissions(args);
  const onCluster = { ArnEquals: { "ecs:cluster": args.clusterArn } };
  return [
    ...launching,
    // A missed STOPPED is applied as the task-state handler would: with the worker's outcome file.
    readWorkerOutcomesStatement(args.bucketArn, args.outputPrefix),
    {
      Sid: "InspectAndStopWorkerTasks",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks", "ecs:StopTask"],
      Resource: [clusterTasksArn(args.aws, args.clusterName)],
      Condition: onCluster,
    },
    // The Service Authorization Reference lists ListTasks on `container-instance/<cluster>/*`, but a
    // ListTasks naming no container instance (ours: Fargate tasks have none) is authorized against "*",
    // scoped by the ecs:cluster condition: AccessDenied "ecs:ListTasks on resource: *" otherwise.
    // Reports: https://github.com/cdklabs/construct-hub/pull/1207,
    // https://github.com/aws-solutions/workload-discovery-on-aws/issues/112,
    // https://github.com/widdix/complete-aws-iam-reference/issues/74,
    // https://github.com/awsdocs/amazon-ecs-developer-guide/issues/211
    {
      Sid: "ListWorkerTasks",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      Resource: ["*"],
      Condition: onCluster,
    },
  ];
}

// ---- worker roles --------------------------------------------------------------------------------

export interface PublisherPermissionsArgs {
  /** The jobs table's stream. */
  readonly streamArn: string;
  /** The jobs bus, the only bus it may put events on. */
  readonly eventBusArn: string;
  /** Its dead-letter queue: poison records, and Lambda's on-failure destination for exhausted batches. */
  readonly deadLetterQueueArn: string;
}

/** The outcome publisher: read the table's stream, put events on the jobs bus, set records aside. */
export function publisherPermissions(args: PublisherPermissionsArgs): PolicyStatement[] {
  return [
    {
      Sid: "ReadJobsStream",
      Effect: "Allow",
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      Resource: [args.streamArn],
    },
    // Lambda's event source mapping may list the table's streams. ListStreams has no resource type in the
    // Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html):
    // it is authorized on "*" only, so a grant on the stream's ARN (as the DynamoDB developer guide's example
    // writes it) never matches. AWS's managed AWSLambdaDynamoDBExecutionRole grants it on "*" likewise.
    { Sid: "ListJobsStreams", Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: ["*"] },
    { Sid: "PutJobEvents", Effect: "Allow", Action: ["events:PutEvents"], Resource: [args.eventBusArn] },
    {
      Sid: "SetRecordsAside",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [args.deadLetterQueueArn],
    },
  ];
}

export interface WorkerTaskPolicyArgs {
  readonly bucketArn: string;
  readonly inputPrefix: string;
  readonly outputPrefix: string;
}

export function workerTaskPolicy(args: WorkerTaskPolicyArgs): PolicyDocument {
  return policyDocument(
    {
      Sid: "ReadInputs",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${args.bucketArn}/${args.inputPrefix}*`],
    },
    // Without ListBucket S3 answers a missing key with 403 instead of 404, and the worker could not
    // tell "input not found" (exit 66, no retry) from a permission problem.
    {
      Sid: "SeeMissingInputs",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [args.bucketArn],
      Condition: { StringLike: { "s3:prefix": `${args.inputPrefix}*` } },
    },
    {
      Sid: "WriteOutputs",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: [`${args.bucketArn}/${args.outputPrefix}*`],
    },
  );
}

/** Actions AWS only authorizes on `"*"`: an exception to "resources scoped to this stack". */
export const RESOURCE_WILDCARD_ONLY_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "dynamodb:ListStreams",
];

/**
 * Actions AWS authorizes on `"*"` for the calls the pipeline makes, each with the condition key that scopes
 * the grant to this stack instead: a statement of them may name `"*"` only with that key in its Condition.
 * (ListTasks: see ListWorkerTasks in sweeperPermissions.)
 */
export const CONDITION_SCOPED_WILDCARD_ACTIONS: Readonly<Record<string, string>> = {
  "ecs:ListTasks": "ecs:cluster",
};

/** Whether the statement's Condition states `key` (under any operator). */
function conditionStates(statement: PolicyStatement, key: string): boolean {
  return Object.values(statement.Condition ?? {}).some((keys) => Object.hasOwn(keys, key));
}

export function workerExecutionPolicy(args: {
  readonly logGroupArn: string;
  readonly repositoryArn: string | undefined;
}): PolicyDocument {
  const pull: PolicyStatement[] =
    args.repositoryArn === undefined
      ? []
      : [
          {
            Sid: "PullWorkerImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: [args.repositoryArn],
          },
          {
            Sid: "AuthenticateToEcr",
            Effect: "Allow",
            Action: ["ecr:GetAuthorizationToken"],
            Resource: ["*"],
          },
        ];
  return policyDocument(...pull, writeLogsStatement(args.logGroupArn));
}

// ---- resource policies ---------------------------------------------------------------------------

/** Deny every request not made over TLS. The `s3:*` here is a Deny: it must cover every action. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return policyDocument({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

export function s3NotificationQueuePolicy(args: {
  readonly queueArn: string;
  readonly bucketArn: string;
  readonly accountId: string;
}): PolicyDocument {
  return policyDocument({
    Sid: "UploadsBucketNotifies",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: ["sqs:SendMessage"],
    Resource: [args.queueArn],
    Condition: {
      ArnEquals: { "aws:SourceArn": args.bucketArn },
      StringEquals: { "aws:SourceAccount": args.accountId },
    },
  });
}

export function eventBridgeDeadLetterPolicy(args: {
  readonly queueArn: string;
  readonly ruleArn: string;
}): PolicyDocument {
  return policyDocument({
    Sid: "TaskStateRuleDeadLetters",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: ["sqs:SendMessage"],
    Resource: [args.queueArn],
    Condition: { ArnEquals: { "aws:SourceArn": args.ruleArn } },
  });
}

// ---- the rule ------------------------------------------------------------------------------------

/**
 * Least-privilege problems of a policy: an Action of `*` anywhere, any wildcard in an allowed action,
 * or an allowed Resource of `*` for actions that support resource-level permissions (unless AWS
 * authorizes the call on `*` and the statement states the condition key that scopes it).
 */
export function leastPrivilegeProblems(document: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const statement of document.Statement) {
    for (const action of statement.Action) {
      if (action === "*") problems.push(`${statement.Sid}: action "*"`);
      else if (statement.Effect === "Allow" && action.includes("*")) {
        problems.push(`${statement.Sid}: wildcard action ${action}`);
      }
    }
    const resourceWildcard = statement.Resource?.includes("*") ?? false;
    const onlyWildcardActions = statement.Action.every((action) => {
      if (RESOURCE_WILDCARD_ONLY_ACTIONS.includes(action)) return true;
      const scopedBy = CONDITION_SCOPED_WILDCARD_ACTIONS[action];
      return scopedBy !== undefined && conditionStates(statement, scopedBy);
    });
    if (statement.Effect === "Allow" && resourceWildcard && !onlyWildcardActions) {
      problems.push(`${statement.Sid}: resource "*"`);
    }
  }
  return problems;
}

/** The policy as IAM JSON, refusing any least-privilege problem at `pulumi preview` time. */
export function leastPrivilegeJson(document: PolicyDocument): string {
  const problems = leastPrivilegeProblems(document);
  if (problems.length > 0) throw new Error(`policy is not least privilege: ${problems.join("; ")}`);
  return JSON.stringify(document);
}
