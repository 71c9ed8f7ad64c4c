// What AWS authorizes for one recorded SDK call: the IAM action(s), the resource ARN each request touches,
// and the request context (condition keys) AWS evaluates. Resources are named as they are in the deployed
// stack: a test's resource names (its table, queue, cluster) are mapped onto the stack's through the
// environment each side gives the function (the same variable names, stackWorld in stack-roles.ts).

import { ACTION_OF_OPERATION, AUTHORIZATION_EXCEPTIONS, type AuthorizationExceptionName } from "./exceptions";
import type { AwsCall } from "./recorder";

/** One authorization AWS makes for a call. */
export interface Authorization {
  readonly action: string;
  /** The resource ARN, or `*` when AWS authorizes the action on no particular resource. */
  readonly resource: string;
  /** Request context: condition keys and their values. */
  readonly context: Readonly<Record<string, string>>;
  /** The exception of exceptions.ts this authorization follows instead of the reference, if any. */
  readonly exception?: AuthorizationExceptionName;
}

/** The deployed stack's side: where its resources are, and how a test's names map onto them. */
export interface StackWorld {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** A test's resource name as the stack names it (unmapped names are kept). */
  readonly name: (testName: string) => string;
  /** A test's object key as the stack would have it (its prefixes mapped). */
  readonly key: (testKey: string) => string;
  /** The roles RunTask passes to the task (the task definition's task and execution roles). */
  readonly passedRoles: readonly string[];
}

/** The IAM service prefix of an SDK client class. */
const SERVICE_OF_CLIENT: Readonly<Record<string, string>> = {
  DynamoDBClient: "dynamodb",
  DynamoDBDocumentClient: "dynamodb",
  ECSClient: "ecs",
  SQSClient: "sqs",
  S3Client: "s3",
  EventBridgeClient: "events",
};

/** lib-dynamodb's document commands, as the DynamoDB operations they send. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  Query: "Query",
  Scan: "Scan",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

/** `ecs:RunTask` from a recorded `{ client: "ECSClient", command: "RunTaskCommand" }`. */
export function operationOf(call: Pick<AwsCall, "client" | "command">): string {
  const service = SERVICE_OF_CLIENT[call.client];
  if (service === undefined)
    throw new Error(`no IAM service known for ${call.client}: add it to SERVICE_OF_CLIENT`);
  const name = call.command.replace(/Command$/, "");
  return `${service}:${service === "dynamodb" ? (DOCUMENT_COMMANDS[name] ?? name) : name}`;
}

type Input = Record<string, unknown>;
const text = (input: Input, field: string): string | undefined =>
  typeof input[field] === "string" ? (input[field] as string) : undefined;
const required = (input: Input, field: string, operation: string): string => {
  const value = text(input, field);
  if (value === undefined) throw new Error(`${operation}: the recorded input has no ${field}`);
  return value;
};

/** Every authorization AWS makes for the call, in the stack's names. */
export function authorizationsOf(call: AwsCall, world: StackWorld): Authorization[] {
  const operation = operationOf(call);
  const input = (call.input ?? {}) as Input;
  const [service] = operation.split(":") as [string];
  const arn = (resourceType: string, resource: string, region = world.region) =>
    `arn:${world.partition}:${service}:${region}:${world.account}:${resourceType}${resource}`;
  const renamed = ACTION_OF_OPERATION[operation];
  const actions = renamed?.actions ?? [operation];
  const each = (resource: string, context: Record<string, string> = {}) =>
    actions.map((action) => ({ action, resource, context }));

  switch (service) {
    case "dynamodb":
      return dynamodbAuthorizations(operation, input, (table, index) =>
        arn("table/", `${world.name(table)}${index === undefined ? "" : `/index/${index}`}`),
      );
    case "sqs": {
      const url = new URL(required(input, "QueueUrl", operation));
      const [, account, queue] = url.pathname.split("/");
      if (account === undefined || queue === undefined)
        throw new Error(`${operation}: not a queue URL: ${url}`);
      return each(`arn:${world.partition}:sqs:${world.region}:${world.account}:${world.name(queue)}`);
    }
    case "s3": {
      const bucket = world.name(required(input, "Bucket", operation));
      if (operation === "s3:ListObjectsV2") {
        return each(`arn:${world.partition}:s3:::${bucket}`, {
          "s3:prefix": world.key(text(input, "Prefix") ?? ""),
        });
      }
      return each(`arn:${world.partition}:s3:::${bucket}/${world.key(required(input, "Key", operation))}`);
    }
    case "events": {
      const entries = (input.Entries ?? []) as Input[];
      return entries.map((entry) => {
        const bus = text(entry, "EventBusName") ?? "default";
        const name = bus.startsWith("arn:") ? (bus.split("event-bus/")[1] ?? bus) : bus;
        return {
          action: operation,
          resource: arn("event-bus/", world.name(name)),
          context: {
            ...(text(entry, "Source") === undefined
              ? {}
              : { "events:source": text(entry, "Source") as string }),
            ...(text(entry, "DetailType") === undefined
              ? {}
              : { "events:detail-type": text(entry, "DetailType") as string }),
          },
        };
      });
    }
    case "ecs":
      return ecsAuthorizations(operation, input, world);
    default:
      throw new Error(`${operation}: no authorization model for ${service}`);
  }
}

function dynamodbAuthorizations(
  operation: string,
  input: Input,
  tableArn: (table: string, index?: string) => string,
): Authorization[] {
  const one = (action: string, table: unknown, index?: unknown): Authorization => {
    if (typeof table !== "string") throw new Error(`${operation}: an item names no TableName`);
    return {
      action,
      resource: tableArn(table, typeof index === "string" ? index : undefined),
      context: {},
    };
  };
  switch (operation) {
    case "dynamodb:BatchGetItem":
    case "dynamodb:BatchWriteItem":
      return Object.keys((input.RequestItems ?? {}) as Input).map((table) => one(operation, table));
    // A transaction is authorized as the actions of its items (DynamoDB developer guide, "Using IAM with
    // DynamoDB transactions": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
    case "dynamodb:TransactWriteItems":
      return ((input.TransactItems ?? []) as Input[]).flatMap((item) => {
        const [kind, body] = Object.entries(item)[0] ?? [];
        const action = {
          Put: "PutItem",
          Update: "UpdateItem",
          Delete: "DeleteItem",
          ConditionCheck: "ConditionCheckItem",
        }[kind ?? ""];
        if (action === undefined) throw new Error(`${operation}: unknown transaction item ${kind}`);
        return [one(`dynamodb:${action}`, (body as Input).TableName)];
      });
    case "dynamodb:TransactGetItems":
      return ((input.TransactItems ?? []) as Input[]).map((item) =>
        one("dynamodb:GetItem", ((item.Get ?? {}) as Input).TableName),
      );
    default:
      return [one(operation, input.TableName, input.IndexName)];
  }
}

function ecsAuthorizations(operation: string, input: Input, world: StackWorld): Authorization[] {
  const ecsArn = (resource: string) =>
    `arn:${world.partition}:ecs:${world.region}:${world.account}:${resource}`;
  const clusterName = (() => {
    const cluster = text(input, "cluster") ?? "default";
    return world.name(cluster.startsWith("arn:") ? (cluster.split("cluster/")[1] ?? cluster) : cluster);
  })();
  const onCluster = { "ecs:cluster": ecsArn(`cluster/${clusterName}`) };
  const taskArn = (task: string) => ecsArn(`task/${clusterName}/${task.split("/").pop() ?? task}`);
  switch (operation) {
    case "ecs:RunTask": {
      const definition = required(input, "taskDefinition", operation);
      const familyRevision = definition.startsWith("arn:")
        ? (definition.split("task-definition/")[1] ?? "")
        : definition;
      const [family = "", revision] = familyRevision.split(":");
      const strategy = (input.capacityProviderStrategy ?? []) as Input[];
      const run: Authorization = {
        action: operation,
        resource: ecsArn(`task-definition/${world.name(family)}:${revision ?? "latest"}`),
        context: {
          ...onCluster,
          ...(strategy.length === 1 && typeof strategy[0]?.capacityProvider === "string"
            ? { "ecs:capacity-provider": ecsArn(`capacity-provider/${strategy[0].capacityProvider}`) }
            : {}),
        },
      };
      // Tags on RunTask are authorized as ecs:TagResource on the task it creates, with ecs:CreateAction
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).
      const tags = (input.tags ?? []) as Input[];
      const tagging: Authorization[] =
        tags.length === 0
          ? []
          : [
              {
                action: "ecs:TagResource",
                resource: taskArn("new-task-id"),
                context: { "ecs:CreateAction": "RunTask" },
              },
            ];
      // Starting a task with roles passes them (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
      const passing = world.passedRoles.map((role) => ({
        action: "iam:PassRole",
        resource: role,
        context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      }));
      return [run, ...tagging, ...passing];
    }
    case "ecs:StopTask":
      return [
        { action: operation, resource: taskArn(required(input, "task", operation)), context: onCluster },
      ];
    case "ecs:DescribeTasks":
      return ((input.tasks ?? []) as string[]).map((task) => ({
        action: operation,
        resource: taskArn(task),
        context: onCluster,
      }));
    case "ecs:ListTasks": {
      const instance = text(input, "containerInstance");
      if (instance !== undefined) {
        return [
          {
            action: operation,
            resource: ecsArn(`container-instance/${clusterName}/${instance.split("/").pop()}`),
            context: onCluster,
          },
        ];
      }
      const exception = AUTHORIZATION_EXCEPTIONS.listTasksWithoutContainerInstance;
      return [
        {
          action: operation,
          resource: exception.authorizedOn,
          context: onCluster,
          exception: "listTasksWithoutContainerInstance",
        },
      ];
    }
    default:
      throw new Error(`${operation}: no authorization model: add it to ecsAuthorizations`);
  }
}
