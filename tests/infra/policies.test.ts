// IAM and resource policies as pure functions: least privilege by construction, checked without mocks.

import { describe, expect, it } from "vitest";
import type { AwsContext } from "../../components/lib/arns";
import {
  dispatcherPermissions,
  ecsTasksAssumeRolePolicy,
  eventBridgeDeadLetterPolicy,
  type LauncherPermissionsArgs,
  leastPrivilegeJson,
  leastPrivilegeProblems,
  type PolicyStatement,
  policyDocument,
  s3NotificationQueuePolicy,
  sweeperPermissions,
  taskStatePermissions,
  tlsOnlyBucketPolicy,
  workerExecutionPolicy,
  workerTaskPolicy,
} from "../../components/lib/policies";
import { outcomeFileName } from "../../contracts/outcome-schema";

const aws: AwsContext = { partition: "aws", region: "eu-west-1", accountId: "111122223333" };
const tableArn = "arn:aws:dynamodb:eu-west-1:111122223333:table/jobs";
const queueArn = "arn:aws:sqs:eu-west-1:111122223333:jobs";
const clusterArn = "arn:aws:ecs:eu-west-1:111122223333:cluster/videos";
const taskRoleArn = "arn:aws:iam::111122223333:role/task";
const executionRoleArn = "arn:aws:iam::111122223333:role/execution";
const bucketArn = "arn:aws:s3:::uploads";
const capacityTableArn = "arn:aws:dynamodb:eu-west-1:111122223333:table/capacity";

const launcher: LauncherPermissionsArgs = {
  aws,
  tableArn,
  capacityTableArn,
  queueArn,
  clusterArn,
  clusterName: "videos",
  taskFamily: "video-jobs-dev-worker",
  taskRoleArn,
  executionRoleArn,
};
const dispatcher = dispatcherPermissions(launcher);
const bySid = (statements: readonly PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);

describe("dispatcher permissions", () => {
  it("allow RunTask only for the worker family, only on this cluster", () => {
    expect(bySid(dispatcher, "RunWorkerTask")).toEqual({
      Sid: "RunWorkerTask",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: ["arn:aws:ecs:eu-west-1:111122223333:task-definition/video-jobs-dev-worker:*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    });
  });

  it("pass only the task and execution roles, only to ECS tasks", () => {
    expect(bySid(dispatcher, "PassWorkerRoles")).toMatchObject({
      Action: ["iam:PassRole"],
      Resource: [taskRoleArn, executionRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  it("tag only tasks of this cluster, only while RunTask creates them", () => {
    expect(bySid(dispatcher, "TagWorkerTaskAtLaunch")).toMatchObject({
      Action: ["ecs:TagResource"],
      Resource: ["arn:aws:ecs:eu-west-1:111122223333:task/videos/*"],
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    });
  });

  it("read and write the jobs table and its indexes, consume the jobs queue and send retries to it", () => {
    expect(bySid(dispatcher, "JobsTable")).toMatchObject({
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
      Resource: [tableArn, `${tableArn}/index/*`],
    });
    expect(bySid(dispatcher, "ConsumeJobsQueue")).toMatchObject({
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [queueArn],
    });
    expect(bySid(dispatcher, "SendRetries")).toMatchObject({
      Action: ["sqs:SendMessage"],
      Resource: [queueArn],
    });
    expect(leastPrivilegeProblems(policyDocument(...dispatcher))).toEqual([]);
  });
});

describe("task-state permissions", () => {
  const statements = taskStatePermissions({
    ...launcher,
    deadLetterQueueArn: `${queueArn}-dlq`,
    bucketArn,
    outputPrefix: "outputs/",
  });

  it("update jobs, send retries and failed events, read outcomes, launch workers; nothing else", () => {
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "dynamodb:UpdateItem",
      "ecs:RunTask",
      "ecs:StopTask",
      "ecs:TagResource",
      "iam:PassRole",
      "s3:GetObject",
      "sqs:SendMessage",
      "sqs:SendMessage",
    ]);
    expect(bySid(statements, "SendRetries")?.Resource).toEqual([queueArn]);
    expect(bySid(statements, "SendFailedEvents")?.Resource).toEqual([`${queueArn}-dlq`]);
    expect(leastPrivilegeProblems(policyDocument(...statements))).toEqual([]);
  });

  it("launch as the dispatcher does (a stopped task frees a slot for a waiting job), without consuming the queue", () => {
    for (const sid of ["RunWorkerTask", "TagWorkerTaskAtLaunch", "StopWorkerTask", "PassWorkerRoles"]) {
      expect(bySid(statements, sid), sid).toEqual(bySid(dispatcher, sid));
    }
    expect(bySid(statements, "RunWorkerTask")).toMatchObject({
      Resource: ["arn:aws:ecs:eu-west-1:111122223333:task-definition/video-jobs-dev-worker:*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    });
    expect(bySid(statements, "StopWorkerTask")).toMatchObject({
      Resource: ["arn:aws:ecs:eu-west-1:111122223333:task/videos/*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    });
    expect(bySid(statements, "PassWorkerRoles")?.Condition).toEqual({
      StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
    });
    expect(bySid(statements, "ConsumeJobsQueue")).toBeUndefined();
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).not.toContain("sqs:ReceiveMessage");
    expect(actions).not.toContain("sqs:DeleteMessage");
  });

  it("read the workers' outcome files under the output prefix, and no other object", () => {
    const [pattern] = bySid(statements, "ReadWorkerOutcomes")?.Resource ?? [];
    expect(pattern).toBe(`${bucketArn}/outputs/*/outcome-*.json`);
    // IAM's "*" matches any characters, "/" included.
    const matches = (key: string) =>
      new RegExp(`^${(pattern ?? "").replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`).test(
        `${bucketArn}/${key}`,
      );
    expect(matches(`outputs/job-1/${outcomeFileName(1)}`)).toBe(true);
    expect(matches(`outputs/job-1/${outcomeFileName(12)}`)).toBe(true);
    expect(matches("outputs/job-1/result.json")).toBe(false);
    expect(matches("outputs/job-1/thumbnails/scene-0000.jpg")).toBe(false);
    expect(matches("uploads/outcome-1.json")).toBe(false);
  });
});

describe("capacity table rights", () => {
  const roles = {
    dispatcher,
    "task-state": taskStatePermissions({
      ...launcher,
      deadLetterQueueArn: `${queueArn}-dlq`,
      bucketArn,
      outputPrefix: "outputs/",
    }),
    sweeper: sweeperPermissions({ ...launcher, bucketArn, outputPrefix: "outputs/" }),
  };

  it.each(Object.entries(roles))(
    "the %s gets, puts and updates capacity items, on the capacity table only",
    (_role, statements) => {
      expect(bySid(statements, "CapacityTable")).toEqual({
        Sid: "CapacityTable",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [capacityTableArn],
      });
      // No other statement reaches it (no Query, no Scan, no index), and it reaches nothing else.
      const onCapacity = statements.filter((s) => s.Resource?.some((r) => r.startsWith(capacityTableArn)));
      expect(onCapacity.map((s) => s.Sid)).toEqual(["CapacityTable"]);
      expect(leastPrivilegeProblems(policyDocument(...statements))).toEqual([]);
    },
  );
});

describe("sweeper permissions", () => {
  const sweeper = sweeperPermissions({ ...launcher, bucketArn, outputPrefix: "outputs/" });

  // A ListTasks naming no container instance is authorized on "*" (cdklabs/construct-hub#1207 and others,
  // cited in policies.ts), so the statement names "*" and scopes it to this cluster by ecs:cluster.
  it("list tasks on * only with this cluster's ecs:cluster condition", () => {
    expect(bySid(sweeper, "ListWorkerTasks")).toEqual({
      Sid: "ListWorkerTasks",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      Resource: ["*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    });
    expect(leastPrivilegeProblems(policyDocument(...sweeper))).toEqual([]);
  });

  it("a ListTasks on * without the ecs:cluster condition is not least privilege", () => {
    const unscoped: PolicyStatement = {
      Sid: "L",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      Resource: ["*"],
    };
    expect(leastPrivilegeProblems(policyDocument(unscoped))).toEqual(['L: resource "*"']);
    const otherKey = { ...unscoped, Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } };
    expect(leastPrivilegeProblems(policyDocument(otherKey))).toEqual(['L: resource "*"']);
    const withDescribe = {
      ...unscoped,
      Action: ["ecs:ListTasks", "ecs:DescribeTasks"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    };
    expect(leastPrivilegeProblems(policyDocument(withDescribe))).toEqual(['L: resource "*"']);
  });
});

describe("worker roles", () => {
  it("task role reads inputs and writes outputs, under their prefixes only", () => {
    const policy = workerTaskPolicy({ bucketArn, inputPrefix: "uploads/", outputPrefix: "outputs/" });
    expect(policy.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      [["s3:GetObject"], ["arn:aws:s3:::uploads/uploads/*"]],
      [["s3:ListBucket"], [bucketArn]],
      [["s3:PutObject", "s3:AbortMultipartUpload"], ["arn:aws:s3:::uploads/outputs/*"]],
    ]);
    expect(policy.Statement[1]?.Condition).toEqual({ StringLike: { "s3:prefix": "uploads/*" } });
    expect(leastPrivilegeProblems(policy)).toEqual([]);
  });

  it("execution role pulls from its repository and writes its log group", () => {
    const logGroupArn = "arn:aws:logs:eu-west-1:111122223333:log-group:worker";
    const repositoryArn = "arn:aws:ecr:eu-west-1:111122223333:repository/worker";
    const withEcr = workerExecutionPolicy({ logGroupArn, repositoryArn });
    expect(withEcr.Statement.find((s) => s.Sid === "PullWorkerImage")?.Resource).toEqual([repositoryArn]);
    expect(withEcr.Statement.find((s) => s.Sid === "WriteOwnLogs")?.Resource).toEqual([`${logGroupArn}:*`]);
    // GetAuthorizationToken has no resource-level permissions: the one allowed "*" resource.
    expect(leastPrivilegeProblems(withEcr)).toEqual([]);
    const outsideEcr = workerExecutionPolicy({ logGroupArn, repositoryArn: undefined });
    expect(outsideEcr.Statement.map((s) => s.Sid)).toEqual(["WriteOwnLogs"]);
  });

  it("only ECS tasks of this account assume the task role", () => {
    expect(ecsTasksAssumeRolePolicy(aws, { limitToThisAccount: true }).Statement[0]?.Condition).toEqual({
      ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:111122223333:*" },
      StringEquals: { "aws:SourceAccount": "111122223333" },
    });
  });
});

describe("resource policies", () => {
  it("the bucket denies every request without TLS", () => {
    expect(tlsOnlyBucketPolicy(bucketArn).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("the jobs queue admits S3 notifications from the uploads bucket only", () => {
    const statement = s3NotificationQueuePolicy({ queueArn, bucketArn, accountId: aws.accountId })
      .Statement[0];
    expect(statement).toMatchObject({
      Principal: { Service: "s3.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: [queueArn],
      Condition: {
        ArnEquals: { "aws:SourceArn": bucketArn },
        StringEquals: { "aws:SourceAccount": "111122223333" },
      },
    });
  });

  it("the tracker's dead-letter queue admits its rule only", () => {
    const ruleArn = "arn:aws:events:eu-west-1:111122223333:rule/task-state";
    expect(eventBridgeDeadLetterPolicy({ queueArn, ruleArn }).Statement[0]?.Condition).toEqual({
      ArnEquals: { "aws:SourceArn": ruleArn },
    });
  });
});

describe("leastPrivilegeProblems", () => {
  const allow = (Action: string[], Resource: string[]): PolicyStatement => ({
    Sid: "S",
    Effect: "Allow",
    Action,
    Resource,
  });

  it("rejects wildcard actions and wildcard resources", () => {
    expect(leastPrivilegeProblems(policyDocument(allow(["*"], [queueArn])))).toEqual(['S: action "*"']);
    expect(leastPrivilegeProblems(policyDocument(allow(["sqs:*"], [queueArn])))).toEqual([
      "S: wildcard action sqs:*",
    ]);
    expect(leastPrivilegeProblems(policyDocument(allow(["sqs:SendMessage"], ["*"])))).toEqual([
      'S: resource "*"',
    ]);
    expect(() => leastPrivilegeJson(policyDocument(allow(["s3:Get*"], [bucketArn])))).toThrow(
      /not least privilege/,
    );
  });
});
