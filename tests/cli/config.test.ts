// Where the CLI finds the pipeline: flags > --local (local mode's endpoints file) > environment > --stack
// outputs (`pulumi stack output --json`, here a stand-in `pulumi` on PATH), and the errors of each.

import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../cli/config";
import { readStackOutputs, STACK_OUTPUTS } from "../../cli/stack-outputs";
import {
  LOCAL_CREDENTIALS,
  LOCAL_ENDPOINTS_FILE,
  type LocalEndpoints,
  localEndpointsPath,
  PROJECT_ROOT,
  readLocalEndpoints,
  writeLocalEndpoints,
} from "../../config/local-endpoints";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { seed, taskArnFor } from "../support/histories";
import { jobs, NOW } from "./support/run";

let db: LocalDynamoDb;
let table: string;
let dir: string;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  table = await db.createTable("config");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  await seed(store, "local-job", "success", new Date(NOW.getTime() - 3_600_000));
  dir = mkdtempSync(join(tmpdir(), "jobs-cli-config-"));
});
afterAll(async () => {
  await db?.stop();
});

function localFile(overrides: Partial<LocalEndpoints> = {}): string {
  const path = join(mkdtempSync(join(dir, "local-")), "endpoints.json");
  writeLocalEndpoints(path, {
    region: "eu-west-1",
    endpoints: {
      dynamodb: db.endpoint,
      s3: "http://127.0.0.1:1",
      sqs: "http://127.0.0.1:2",
      ecs: "http://127.0.0.1:3",
    },
    tableName: table,
    queueUrl: "http://127.0.0.1:2/000000000000/jobs",
    clusterArn: "arn:aws:ecs:eu-west-1:000000000000:cluster/local",
    bucket: "local-uploads",
    ...overrides,
  });
  return path;
}

describe("--local", () => {
  it("reads the table, region and endpoints from local mode's file, with no AWS environment at all", async () => {
    const path = localFile();
    const result = await jobs(["list", "--local", "--json"], { env: { JOBS_LOCAL_ENDPOINTS: path } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.json<{ jobs: Array<{ jobId: string }> }>().jobs.map((j) => j.jobId)).toEqual(["local-job"]);
  });

  it("takes precedence over the environment, flags over it", async () => {
    const path = localFile();
    const env = { JOBS_LOCAL_ENDPOINTS: path, JOBS_TABLE: "prod-table", AWS_REGION: "us-east-1" };
    const config = await resolveConfig({ local: true }, { env });
    expect(config.table).toEqual({ value: table, source: "local mode" });
    expect(config.region).toEqual({ value: "eu-west-1", source: "local mode" });
    expect(config.endpoints).toEqual({
      dynamodb: db.endpoint,
      s3: "http://127.0.0.1:1",
      sqs: "http://127.0.0.1:2",
      ecs: "http://127.0.0.1:3",
    });
    expect(config.credentials).toEqual(LOCAL_CREDENTIALS);
    const flagged = await resolveConfig({ local: true, table: "other" }, { env });
    expect(flagged.table).toEqual({ value: "other", source: "--table" });
  });

  it("says to start local mode when its file is missing, and to restart it when the file is broken (exit 2)", async () => {
    const missing = await jobs(["list", "--local"], {
      env: { JOBS_LOCAL_ENDPOINTS: join(dir, "none.json") },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: local mode is not running");
    expect(missing.stderr).toContain("start it with `npm run local`");

    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ region: "x", endpoints: { dynamodb: "not a url" } }));
    const result = await jobs(["list", "--local"], { env: { JOBS_LOCAL_ENDPOINTS: broken } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /is not a local endpoints file \(endpoints\.dynamodb: must be a URL.*restart `npm run local`/,
    );
  });

  it("points at local mode's worker log files instead of CloudWatch streams", async () => {
    const task = taskArnFor("local-job", 1);
    const file = `${task.slice(task.lastIndexOf("/") + 1)}.log`;
    const beside = localFile();
    const result = await jobs(["show", "local-job", "--local", "--json"], {
      env: { JOBS_LOCAL_ENDPOINTS: beside },
    });
    expect(result.json<{ logs: unknown[] }>().logs).toEqual([
      {
        attempt: 1,
        taskArn: task,
        logFile: join(dirname(beside), "logs", file),
        command: `tail -n +1 ${join(dirname(beside), "logs", file)}`,
      },
    ]);
    const elsewhere = localFile({ workerLogDirectory: "/var/tmp/local logs" });
    const human = await jobs(["show", "local-job", "--local"], { env: { JOBS_LOCAL_ENDPOINTS: elsewhere } });
    expect(human.stdout).toContain(`  attempt 1: tail -n +1 '/var/tmp/local logs/${file}'\n`);
    expect(human.stdout).not.toContain("log group unknown");
  });

  it("lives at .local/endpoints.json in the repository unless JOBS_LOCAL_ENDPOINTS says otherwise", () => {
    expect(localEndpointsPath({})).toBe(join(PROJECT_ROOT, LOCAL_ENDPOINTS_FILE));
    expect(LOCAL_ENDPOINTS_FILE).toBe(".local/endpoints.json");
    expect(localEndpointsPath({ JOBS_LOCAL_ENDPOINTS: "/tmp/x.json" })).toBe("/tmp/x.json");
    const path = localFile({ logGroup: "/local/worker" });
    expect(readLocalEndpoints(path).logGroup).toBe("/local/worker");
  });
});

describe("--stack", () => {
  const outputs = {
    bucketName: "video-jobs-dev-uploads-1a2b",
    queueUrl: "https://sqs.eu-central-1.amazonaws.com/111122223333/video-jobs-dev-queue",
    deadLetterQueueUrl: "https://sqs.eu-central-1.amazonaws.com/111122223333/video-jobs-dev-dlq",
    tableName: "video-jobs-dev-jobs",
    clusterName: "video-jobs-dev-cluster",
    workerLogGroupName: "/ecs/video-jobs-dev-worker",
    region: "eu-central-1",
  };

  /** A stand-in `pulumi` on PATH that prints the outputs (and records its arguments). */
  function fakePulumi(script: string): Record<string, string> {
    const bin = mkdtempSync(join(dir, "bin-"));
    writeFileSync(join(bin, "pulumi"), `#!/bin/sh\necho "$@" > "${bin}/args"\n${script}\n`);
    chmodSync(join(bin, "pulumi"), 0o755);
    return { PATH: `${bin}:/usr/bin:/bin`, FAKE_BIN: bin };
  }

  it("reads the stack's outputs with `pulumi stack output --json --stack NAME`", async () => {
    const env = fakePulumi(`cat <<'EOF'\n${JSON.stringify(outputs)}\nEOF`);
    const values = await readStackOutputs("dev", env);
    expect(values).toEqual({
      tableName: "video-jobs-dev-jobs",
      queueUrl: outputs.queueUrl,
      cluster: "video-jobs-dev-cluster",
      bucket: "video-jobs-dev-uploads-1a2b",
      logGroup: "/ecs/video-jobs-dev-worker",
      region: "eu-central-1",
    });
    expect(readFileSync(join(env.FAKE_BIN as string, "args"), "utf8").trim()).toBe(
      "stack output --json --stack dev",
    );
  });

  it("ranks below flags and the environment; JOBS_STACK works like --stack", async () => {
    const stackOutputs = async () => ({
      tableName: "from-stack",
      queueUrl: outputs.queueUrl,
      region: "eu-central-1",
    });
    const config = await resolveConfig({ stack: "dev" }, { env: { JOBS_TABLE: "from-env" }, stackOutputs });
    expect(config.table).toEqual({ value: "from-env", source: "JOBS_TABLE" });
    expect(config.queueUrl).toEqual({ value: outputs.queueUrl, source: "stack dev" });
    expect(config.region).toEqual({ value: "eu-central-1", source: "stack dev" });
    const byEnv = await resolveConfig({}, { env: { JOBS_STACK: "prod" }, stackOutputs });
    expect(byEnv.table).toEqual({ value: "from-stack", source: "stack prod" });
    const byFlag = await resolveConfig({ stack: "dev", table: "from-flag" }, { env: {}, stackOutputs });
    expect(byFlag.table?.source).toBe("--table");
  });

  it("runs a command against the table a stack names", async () => {
    const result = await jobs(["show", "local-job", "--stack", "dev", "--json"], {
      env: {
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      },
      stackOutputs: async () => ({ tableName: table, region: "us-east-1", logGroup: "/ecs/from-stack" }),
    });
    expect(result.code).toBe(0);
    expect(result.json<{ logs: Array<{ logGroup: string }> }>().logs[0]?.logGroup).toBe("/ecs/from-stack");
  });

  it("says what to do when the Pulumi CLI is missing or the stack cannot be read", async () => {
    const missing = await jobs(["list", "--stack", "dev"], { env: { PATH: join(dir, "empty") } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error: --stack needs the Pulumi CLI, which is not installed");
    expect(missing.stderr).toContain("or set JOBS_TABLE");

    const env = fakePulumi(`echo "error: no stack named 'nope' found" >&2; exit 255`);
    const failing = await jobs(["list", "--stack", "nope"], { env });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(
      "error: pulumi stack output --stack nope failed: error: no stack named 'nope' found",
    );
    expect(failing.stderr).toContain("fix: check the stack name (`pulumi stack ls`)");
  });
});

describe("agreement with the Pulumi program", () => {
  it("reads stack outputs that index.ts exports", () => {
    const program = readFileSync(join(PROJECT_ROOT, "index.ts"), "utf8");
    for (const output of Object.values(STACK_OUTPUTS)) {
      expect(program, `stack output ${output}`).toMatch(new RegExp(`^export const ${output} =`, "m"));
    }
  });

  it("defaults to the worker's container name and awslogs stream prefix of components/worker/worker.ts", async () => {
    const worker = readFileSync(join(PROJECT_ROOT, "components", "worker", "worker.ts"), "utf8");
    const config = await resolveConfig({}, { env: {} });
    expect(worker).toContain(`WORKER_CONTAINER_NAME = "${config.containerName}"`);
    expect(worker).toContain(`"awslogs-stream-prefix": "${config.logStreamPrefix}"`);
  });
});

describe("environment", () => {
  it("reads the documented variables, CLUSTER_ARN before JOBS_CLUSTER", async () => {
    const config = await resolveConfig(
      {},
      {
        env: {
          JOBS_TABLE: "t",
          JOBS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/q",
          JOBS_CLUSTER: "second",
          CLUSTER_ARN: "first",
          UPLOADS_BUCKET: "b",
          JOBS_UPLOAD_PREFIX: "in/",
          JOBS_LOG_GROUP: "/g",
          JOBS_LOG_STREAM_PREFIX: "p",
          WORKER_CONTAINER_NAME: "c",
          JOB_RETENTION_DAYS: "7",
          AWS_DEFAULT_REGION: "ap-south-1",
          AWS_ENDPOINT_URL: "http://127.0.0.1:9",
          AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:10",
        },
      },
    );
    expect(config).toMatchObject({
      table: { value: "t" },
      cluster: { value: "first", source: "CLUSTER_ARN" },
      bucket: { value: "b" },
      logGroup: { value: "/g" },
      region: { value: "ap-south-1", source: "AWS_DEFAULT_REGION" },
      endpoints: { dynamodb: "http://127.0.0.1:9", sqs: "http://127.0.0.1:10" },
      uploadPrefix: "in/",
      logStreamPrefix: "p",
      containerName: "c",
      retentionDays: 7,
      local: false,
    });
    expect(config.credentials).toBeUndefined();
  });

  it("defaults to the stack configuration's defaults", async () => {
    const config = await resolveConfig({}, { env: {} });
    expect(config).toMatchObject({
      uploadPrefix: "uploads/",
      logStreamPrefix: "worker",
      containerName: "worker",
      retentionDays: 90,
    });
    await expect(resolveConfig({}, { env: { JOB_RETENTION_DAYS: "ninety" } })).rejects.toThrow(
      /JOB_RETENTION_DAYS/,
    );
  });
});
