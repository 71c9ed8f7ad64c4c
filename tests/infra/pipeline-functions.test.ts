// The dev stack's Lambdas under Pulumi mocks: the dispatcher and its SQS event source, the task-state
// tracker's EventBridge rule, target, permission and dead-letter queue, the sweeper's schedule, the
// handler environment and the IAM policies, asserted on the inputs the engine receives.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SWEEP_MAXIMUM_EVENT_AGE_SECONDS } from "../../components/functions/sweeper";
import { taskFamilyName } from "../../components/lib/arns";
import { bundleHandler } from "../../components/lib/bundle";
import { taskStateChangePattern } from "../../components/lib/event-pattern";
import { HANDLER_ENTRY_POINTS } from "../../components/lib/handler-entry-points";
import { HANDLER_ENVIRONMENT_NAMES } from "../../components/lib/handler-environment";
import {
  dispatcherPermissions,
  type LauncherPermissionsArgs,
  type PolicyDocument,
  policyDocument,
  sweeperPermissions,
  taskStatePermissions,
  writeLogsStatement,
} from "../../components/lib/policies";
import { variablesOf } from "../../config/handler-variables";
import { parsePipelineConfig } from "../../config/parse";
import { readFunctionConfig, variablesReadBy } from "../../handlers/environment";
import { ACCOUNT_ID, REGION } from "./support/pulumi-mocks";
import {
  archivedText,
  json,
  PIPELINE_NAME,
  type PipelineRun,
  referencesOf,
  resolved,
  runPipeline,
} from "./support/run-pipeline";
import { projectRawConfig, REPO_ROOT } from "./support/stack-config";

const config = parsePipelineConfig(projectRawConfig("dev"));
let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

beforeAll(async () => {
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

const FUNCTIONS = [
  {
    handler: "dispatcher",
    entryPoint: HANDLER_ENTRY_POINTS.dispatcher,
    timeout: config.dispatcher.timeoutSeconds,
  },
  {
    handler: "task-state",
    entryPoint: HANDLER_ENTRY_POINTS.taskState,
    timeout: config.taskStateTimeoutSeconds,
  },
  {
    handler: "sweeper",
    entryPoint: HANDLER_ENTRY_POINTS.sweeper,
    // A run must end before the next one starts.
    timeout: Math.min(300, config.sweepIntervalMinutes * 60),
  },
] as const;

/** IAM actions of the SDK commands the handlers' code sends (lib-dynamodb's commands included). */
const IAM_ACTION_OF_COMMAND: Record<string, string> = {
  GetCommand: "dynamodb:GetItem",
  BatchGetCommand: "dynamodb:BatchGetItem",
  GetItemCommand: "dynamodb:GetItem",
  PutCommand: "dynamodb:PutItem",
  PutItemCommand: "dynamodb:PutItem",
  UpdateCommand: "dynamodb:UpdateItem",
  UpdateItemCommand: "dynamodb:UpdateItem",
  QueryCommand: "dynamodb:Query",
  RunTaskCommand: "ecs:RunTask",
  DescribeTasksCommand: "ecs:DescribeTasks",
  ListTasksCommand: "ecs:ListTasks",
  StopTaskCommand: "ecs:StopTask",
  SendMessageCommand: "sqs:SendMessage",
  GetObjectCommand: "s3:GetObject",
  PutEventsCommand: "events:PutEvents",
};

const sources = new Map<string, Promise<string[]>>();

/** The repository's own source files bundled into a handler (not node_modules). */
function ownSources(entryPoint: string): Promise<string[]> {
  let found = sources.get(entryPoint);
  if (found === undefined) {
    found = bundleHandler(REPO_ROOT, entryPoint).then(({ inputs }) =>
      inputs
        .filter((input) => !input.startsWith("node_modules/"))
        .map((input) => readFileSync(path.join(REPO_ROOT, input), "utf8")),
    );
    sources.set(entryPoint, found);
  }
  return found;
}

/** Of `every` variable's expected value, those of the given names. */
function onlyThe(names: readonly string[], every: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, every[name]]));
}

const lambda = (handler: string) => run.one("aws:lambda/function:Function", `${handler}-handler-function`);
const environmentOf = (handler: string) =>
  (lambda(handler).inputs.environment as { variables: Record<string, string> }).variables;

describe.each(FUNCTIONS)("the $handler Lambda", ({ handler, entryPoint, timeout }) => {
  it("runs the handler's esbuild bundle on nodejs24.x, arm64", async () => {
    const fn = lambda(handler).inputs;
    expect(fn).toMatchObject({
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout,
      memorySize: config.lambdaMemoryMb,
    });
    const deployed = await archivedText(fn.code, "index.js");
    const component = {
      dispatcher: run.pipeline.dispatcher,
      "task-state": run.pipeline.taskState,
      sweeper: run.pipeline.sweeper,
    }[handler];
    expect(createHash("sha256").update(deployed).digest("hex")).toBe(
      await resolved(component.handler.codeSha256),
    );
    // The archive is a CommonJS module whose `handler` export Lambda calls as `index.handler`.
    const module = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", deployed)(module, module.exports, require);
    expect(typeof module.exports.handler).toBe("function");
    expect(entryPoint).toBe(`handlers/${handler}.ts`);
  });

  it("logs to its own log group with the configured retention", () => {
    const logGroup = run.one("aws:cloudwatch/logGroup:LogGroup", `${handler}-handler-logs`);
    expect(logGroup.inputs.retentionInDays).toBe(config.logRetentionDays);
    const logGroupName = {
      dispatcher: refs.dispatcherLogGroupName,
      "task-state": refs.taskStateLogGroupName,
      sweeper: refs.sweeperLogGroupName,
    }[handler];
    expect(lambda(handler).inputs.loggingConfig).toEqual({ logFormat: "Text", logGroup: logGroupName });
  });

  it("gets exactly the handler variables it reads, wired to the resources they name", () => {
    const environment = environmentOf(handler);
    expect(Object.keys(environment).sort()).toEqual([...variablesOf(handler)].sort());
    expect(HANDLER_ENVIRONMENT_NAMES).toEqual(expect.arrayContaining(Object.keys(environment)));
    expect(environment).toEqual(
      onlyThe(variablesOf(handler), {
        JOBS_TABLE: refs.tableName,
        CAPACITY_TABLE: refs.capacityTableName,
        JOBS_QUEUE_URL: refs.queueUrl,
        CLUSTER_ARN: refs.clusterArn,
        TASK_DEFINITION_ARN: refs.taskDefinitionArn,
        WORKER_CONTAINER_NAME: "worker",
        SUBNET_IDS: refs.subnetIds.join(","),
        SECURITY_GROUP_IDS: refs.securityGroupId,
        ASSIGN_PUBLIC_IP: "ENABLED",
        OUTPUT_BUCKET: refs.bucketName,
        OUTPUT_PREFIX: "outputs/",
        MAX_ATTEMPTS: "3",
        RETRY_BASE_DELAY_SECONDS: "30",
        RETRY_MAX_DELAY_SECONDS: "900",
        NON_RETRYABLE_EXIT_CODES: "64-78",
        MAX_INFRA_RETRIES: "5",
        JOB_RETENTION_DAYS: String(config.jobs.jobRetentionDays),
        LAUNCH_TIMEOUT_SECONDS: String(config.jobs.launchTimeoutMinutes * 60),
        JOB_TIMEOUT_SECONDS: String(config.jobs.jobTimeoutMinutes * 60),
        SWEEP_QUIET_SECONDS: String(config.jobs.sweepQuietMinutes * 60),
        SWEEP_MAX_JOBS: String(config.jobs.sweepMaxJobs),
        MAX_RUNNING_TASKS: "10",
        LAUNCH_RATE_PER_SECOND: String(config.jobs.launchRatePerSecond),
        LAUNCH_BURST: String(config.jobs.launchBurst),
        WORKER_CPU_ARCHITECTURE: config.worker.architecture,
        // The dev stack: 1 vCPU 2 GiB, out-of-memory retries up to four times that, Spot first.
        WORKER_CPU: "1024",
        WORKER_MEMORY_MB: "2048",
        MAX_WORKER_MEMORY_MB: "8192",
        CAPACITY: "spot-with-fallback",
        WORKER_PARAMS: config.worker.params,
        FARGATE_PRICES: "",
        JOBS_EVENT_BUS_NAME: refs.eventBusName,
        OUTCOMES_DEAD_LETTER_QUEUE_URL: refs.outcomesDeadLetterQueueUrl,
        // One service for the whole pipeline: the alarms and dashboard read its metrics whichever handler wrote them.
        METRICS_NAMESPACE: "VideoJobs",
        METRICS_SERVICE: PIPELINE_NAME,
        INPUT_SUFFIXES: JSON.stringify(config.uploads.inputSuffixes),
        POWERTOOLS_SERVICE_NAME: `${PIPELINE_NAME}-${handler}`,
        POWERTOOLS_LOG_LEVEL: config.logLevel,
      }),
    );
    expect(environment.TASK_DEFINITION_ARN).toMatch(/:task-definition\/.+:\d+$/);
    const container = json<{ name: string }[]>(
      run.one("aws:ecs/taskDefinition:TaskDefinition", "worker-task").inputs.containerDefinitions,
    );
    expect(container.map((c) => c.name)).toEqual([environment.WORKER_CONTAINER_NAME]);
  });

  it("is configured only through variables its own parser accepts", () => {
    expect(() => readFunctionConfig(handler, environmentOf(handler))).not.toThrow();
  });

  it("is given exactly the variables its handler's parse reads (and Powertools' logger)", () => {
    const environment = environmentOf(handler);
    expect([...variablesReadBy(handler), "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"].sort()).toEqual(
      Object.keys(environment).sort(),
    );
    for (const name of variablesReadBy(handler)) {
      const { [name]: _left, ...rest } = environment;
      expect(() => readFunctionConfig(handler, rest), name).toThrow(new RegExp(name));
    }
  });

  it("reads no environment variable that the program does not set", async () => {
    const read = (await ownSources(entryPoint))
      .flatMap((source) => [
        ...source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\])/g),
      ])
      .map((match) => match[1] ?? match[2]);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(Object.keys(environmentOf(handler))).toContain(name);
  });

  it("may call every AWS API its code sends a command for", async () => {
    const commands = (await ownSources(entryPoint)).flatMap((source) =>
      [...source.matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)].map((match) => match[1] as string),
    );
    expect(commands.length).toBeGreaterThan(0);
    const allowed = json<PolicyDocument>(
      run.one("aws:iam/rolePolicy:RolePolicy", `${handler}-handler-policy`).inputs.policy,
    ).Statement.flatMap((statement) => statement.Action);
    for (const command of commands) {
      const action = IAM_ACTION_OF_COMMAND[command];
      expect(action, `${command}: add its IAM action to IAM_ACTION_OF_COMMAND`).toBeDefined();
      expect(allowed, `${handler} sends ${command}`).toContain(action);
    }
  });

  it("waits for its role policy, so event sources and invoke configs find the permissions", () => {
    const rolePolicy = run.one("aws:iam/rolePolicy:RolePolicy", `${handler}-handler-policy`);
    expect(lambda(handler).dependencies).toContain(rolePolicy.urn);
  });
});

describe("dispatcher event source", () => {
  it("reads the jobs queue in batches and reports batch item failures, with bounded concurrency", () => {
    const mapping = run.one("aws:lambda/eventSourceMapping:EventSourceMapping", "queue-source");
    expect(mapping.inputs).toEqual({
      eventSourceArn: refs.queueArn,
      functionName: refs.dispatcherArn,
      batchSize: config.dispatcher.batchSize,
      maximumBatchingWindowInSeconds: config.dispatcher.batchWindowSeconds,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: config.dispatcher.maxConcurrency },
    });
    expect(config.dispatcher.maxConcurrency).toBe(2);
  });
});

describe("task-state tracker", () => {
  it("matches this cluster's tasks reaching RUNNING or STOPPED", () => {
    const rule = run.one("aws:cloudwatch/eventRule:EventRule", "task-state-rule");
    expect(json(rule.inputs.eventPattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { clusterArn: [refs.clusterArn], lastStatus: ["RUNNING", "STOPPED"] },
    });
    expect(json(rule.inputs.eventPattern)).toEqual(taskStateChangePattern(refs.clusterArn));
  });

  it("targets the task-state Lambda with a retry policy and a dead-letter queue", () => {
    const target = run.one("aws:cloudwatch/eventTarget:EventTarget", "task-state-target");
    expect(target.inputs).toMatchObject({
      rule: refs.ruleName,
      arn: refs.taskStateArn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      deadLetterConfig: { arn: refs.trackerDeadLetterQueueArn },
    });
    const permission = run.one("aws:lambda/permission:Permission", "invoke-permission");
    expect(permission.inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: refs.taskStateName,
      principal: "events.amazonaws.com",
      sourceArn: refs.ruleArn,
    });
    expect(target.dependencies).toContain(permission.urn);
  });

  it("lets only its rule write to the dead-letter queue, which is encrypted", () => {
    const queue = run.one("aws:sqs/queue:Queue", "task-state-dlq");
    expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    const policy = run.one("aws:sqs/queuePolicy:QueuePolicy", "task-state-dlq-policy");
    expect(policy.inputs.queueUrl).toBe(refs.trackerDeadLetterQueueUrl);
    expect(json(policy.inputs.policy)).toMatchObject({
      Statement: [
        {
          Principal: { Service: "events.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [refs.trackerDeadLetterQueueArn],
          Condition: { ArnEquals: { "aws:SourceArn": refs.ruleArn } },
        },
      ],
    });
    expect(run.one("aws:cloudwatch/eventTarget:EventTarget", "task-state-target").dependencies).toContain(
      policy.urn,
    );
  });

  it("sends events the function still fails on after Lambda's retries to the dead-letter queue", () => {
    expect(
      run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "async-failures").inputs,
    ).toEqual({
      functionName: refs.taskStateName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21_600,
      destinationConfig: { onFailure: { destination: refs.trackerDeadLetterQueueArn } },
    });
  });
});

describe("sweeper", () => {
  it("runs on a schedule of sweepIntervalMinutes, invoked by its own rule only", () => {
    const rule = run.one("aws:cloudwatch/eventRule:EventRule", "sweeper-schedule");
    expect(rule.inputs.scheduleExpression).toBe(`rate(${config.sweepIntervalMinutes} minutes)`);
    const target = run.one("aws:cloudwatch/eventTarget:EventTarget", "sweeper-target");
    expect(target.inputs).toMatchObject({ rule: refs.sweeperRuleName, arn: refs.sweeperArn });
    expect(run.one("aws:lambda/permission:Permission", "sweeper-invoke").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: refs.sweeperName,
      principal: "events.amazonaws.com",
      sourceArn: refs.sweeperRuleArn,
    });
  });

  // EventBridge's retry policy covers delivery only; Lambda's asynchronous retries (2 by default) would
  // run a failed sweep twice more, overlapping the next scheduled runs.
  it("a failing run is not retried, by EventBridge or by Lambda, nor run late", () => {
    const target = run.one("aws:cloudwatch/eventTarget:EventTarget", "sweeper-target");
    expect(target.inputs.retryPolicy).toEqual({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
    expect(
      run.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "sweeper-async-invocation")
        .inputs,
    ).toEqual({ functionName: refs.sweeperName, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
    expect(SWEEP_MAXIMUM_EVENT_AGE_SECONDS).toBeLessThanOrEqual(config.sweepIntervalMinutes * 60);
  });
});

describe("handler IAM", () => {
  const policyOf = (handler: string) =>
    json<PolicyDocument>(run.one("aws:iam/rolePolicy:RolePolicy", `${handler}-handler-policy`).inputs.policy);
  const aws = { partition: "aws", region: REGION, accountId: ACCOUNT_ID };
  /** What every launching Lambda's permissions are built from, as this stack resolves it. */
  const launcher = (): LauncherPermissionsArgs => ({
    aws,
    tableArn: refs.tableArn,
    capacityTableArn: refs.capacityTableArn,
    queueArn: refs.queueArn,
    clusterArn: refs.clusterArn,
    clusterName: refs.clusterName,
    taskFamily: taskFamilyName(PIPELINE_NAME),
    taskRoleArn: refs.taskRoleArn,
    executionRoleArn: refs.executionRoleArn,
  });

  it("the dispatcher may run the worker family on this cluster and pass exactly the worker's roles", () => {
    expect(policyOf("dispatcher")).toEqual(
      policyDocument(...dispatcherPermissions(launcher()), writeLogsStatement(refs.dispatcherLogGroupArn)),
    );
    const runTask = policyOf("dispatcher").Statement.find((statement) => statement.Sid === "RunWorkerTask");
    expect(runTask?.Resource).toEqual([
      `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${run.one("aws:ecs/taskDefinition:TaskDefinition", "task").inputs.family}:*`,
    ]);
  });

  it("the task-state handler may update jobs, send retries, read outcome files and launch, nothing else", () => {
    expect(policyOf("task-state")).toEqual(
      policyDocument(
        ...taskStatePermissions({
          ...launcher(),
          deadLetterQueueArn: refs.trackerDeadLetterQueueArn,
          bucketArn: refs.bucketArn,
          outputPrefix: config.uploads.outputPrefix,
        }),
        writeLogsStatement(refs.taskStateLogGroupArn),
      ),
    );
    // It starts waiting jobs into the slot a stopped task freed: the worker family on this cluster only.
    const statements = policyOf("task-state").Statement;
    expect(statements.find((s) => s.Sid === "RunWorkerTask")).toMatchObject({
      Action: ["ecs:RunTask"],
      Resource: [
        `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/${run.one("aws:ecs/taskDefinition:TaskDefinition", "task").inputs.family}:*`,
      ],
      Condition: { ArnEquals: { "ecs:cluster": refs.clusterArn } },
    });
    expect(statements.find((s) => s.Sid === "PassWorkerRoles")).toMatchObject({
      Resource: [refs.taskRoleArn, refs.executionRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).not.toContain("sqs:ReceiveMessage");
    expect(actions).not.toContain("sqs:DeleteMessage");
  });

  it.each(["dispatcher", "task-state", "sweeper"])(
    "the %s may get, put and update items of the capacity table only",
    (handler) => {
      const statements = policyOf(handler).Statement;
      expect(statements.find((s) => s.Sid === "CapacityTable")).toEqual({
        Sid: "CapacityTable",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [refs.capacityTableArn],
      });
      const onCapacityTable = statements.filter((s) =>
        (s.Resource ?? []).some((resource) => resource.startsWith(refs.capacityTableArn)),
      );
      expect(onCapacityTable.map((s) => s.Sid)).toEqual(["CapacityTable"]);
    },
  );

  it("the sweeper may launch as the dispatcher does, and only look at and stop this cluster's tasks", () => {
    expect(policyOf("sweeper")).toEqual(
      policyDocument(
        ...sweeperPermissions({
          ...launcher(),
          bucketArn: refs.bucketArn,
          outputPrefix: config.uploads.outputPrefix,
        }),
        writeLogsStatement(refs.sweeperLogGroupArn),
      ),
    );
    const statements = policyOf("sweeper").Statement;
    expect(statements.flatMap((s) => s.Action)).not.toContain("sqs:ReceiveMessage");
    const inspect = statements.find((s) => s.Sid === "InspectAndStopWorkerTasks");
    expect(inspect).toMatchObject({
      Action: ["ecs:DescribeTasks", "ecs:StopTask"],
      Resource: [`arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${refs.clusterName}/*`],
      Condition: { ArnEquals: { "ecs:cluster": refs.clusterArn } },
    });
  });

  it("the Lambdas are assumed by Lambda only", () => {
    for (const handler of ["dispatcher", "task-state", "sweeper"]) {
      const trust = json<PolicyDocument>(
        run.one("aws:iam/role:Role", `${handler}-handler-role`).inputs.assumeRolePolicy,
      );
      expect(trust.Statement).toEqual([
        {
          Sid: "LambdaAssumesRole",
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: ["sts:AssumeRole"],
        },
      ]);
    }
  });
});
