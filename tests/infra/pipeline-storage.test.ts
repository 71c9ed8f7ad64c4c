// The dev stack's storage and messaging under Pulumi mocks: the uploads bucket and its notification to
// the jobs queue, the queue and its DLQ, and the jobs table, asserted on the inputs the engine receives.

import { beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { ACCOUNT_ID } from "./support/pulumi-mocks";
import { json, type PipelineRun, referencesOf, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const config = parsePipelineConfig(projectRawConfig("dev"));
let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

beforeAll(async () => {
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

describe("uploads bucket", () => {
  it("is private: objects owned by the bucket owner, every kind of public access blocked", () => {
    expect(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership").inputs).toEqual({
      bucket: refs.bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    expect(
      run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access-block").inputs,
    ).toEqual({
      bucket: refs.bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("encrypts objects by default", () => {
    const encryption = run.one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "encryption",
    );
    expect(encryption.inputs).toEqual({
      bucket: refs.bucketId,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
  });

  it("denies every request made without TLS, once the public access block is in place", () => {
    const policy = run.one("aws:s3/bucketPolicy:BucketPolicy", "tls-only");
    expect(policy.inputs.bucket).toBe(refs.bucketId);
    expect(json(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [refs.bucketArn, `${refs.bucketArn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    const publicAccessBlock = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "block");
    expect(policy.dependencies).toContain(publicAccessBlock.urn);
  });

  it("is emptied on destroy in dev (no deletion protection)", () => {
    const bucket = run.one("aws:s3/bucket:Bucket", "uploads-bucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.protect).toBe(false);
  });
});

describe("upload notifications", () => {
  it("send every ObjectCreated event under the input prefix to the jobs queue: one rule, no suffix filter", () => {
    // S3 matches suffixes case-sensitively: a ".mp4" rule would drop "CLIP.MP4" without a trace. The
    // dispatcher decides which uploads are videos, in any case, and counts the others (UploadsIgnored).
    const notification = run.one("aws:s3/bucketNotification:BucketNotification", "notification");
    expect(notification.inputs.bucket).toBe(refs.bucketId);
    expect(notification.inputs.queues).toEqual([
      { queueArn: refs.queueArn, events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/" },
    ]);
    expect(JSON.stringify(notification.inputs)).not.toContain("filterSuffix");
  });

  it("give the dispatcher the stack's video suffixes to match in any case (INPUT_SUFFIXES)", () => {
    const dispatcher = run.one("aws:lambda/function:Function", "dispatcher-handler-function");
    const { variables } = dispatcher.inputs.environment as { variables: Record<string, string> };
    expect(JSON.parse(String(variables.INPUT_SUFFIXES))).toEqual([...config.uploads.inputSuffixes]);
  });

  it("are admitted by a queue policy scoped to this bucket, created before the notification", () => {
    const policy = run.one("aws:sqs/queuePolicy:QueuePolicy", "notification-policy");
    expect(policy.inputs.queueUrl).toBe(refs.queueUrl);
    expect(json(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "UploadsBucketNotifies",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [refs.queueArn],
          Condition: {
            ArnEquals: { "aws:SourceArn": refs.bucketArn },
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
          },
        },
      ],
    });
    expect(run.one("aws:s3/bucketNotification:BucketNotification", "notification").dependencies).toContain(
      policy.urn,
    );
  });
});

describe("jobs queue", () => {
  it("and its dead-letter queue are encrypted with SQS-managed keys", () => {
    for (const queue of [
      run.one("aws:sqs/queue:Queue", "jobs-queue"),
      run.one("aws:sqs/queue:Queue", "jobs-dlq"),
    ]) {
      expect(queue.inputs.sqsManagedSseEnabled, queue.name).toBe(true);
      expect(queue.inputs.kmsMasterKeyId, queue.name).toBeUndefined();
    }
  });

  it("moves a message to the dead-letter queue after at least 5 receives", () => {
    const redrive = json<{ deadLetterTargetArn: string; maxReceiveCount: number }>(
      run.one("aws:sqs/queue:Queue", "jobs-queue").inputs.redrivePolicy,
    );
    expect(redrive.deadLetterTargetArn).toBe(refs.deadLetterQueueArn);
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const allow = run.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "redrive-allow");
    expect(allow.inputs.queueUrl).toBe(refs.deadLetterQueueUrl);
    expect(json(allow.inputs.redriveAllowPolicy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [refs.queueArn],
    });
  });

  it("hides a received message for at least six times the dispatcher's timeout", () => {
    const dispatcher = run.one("aws:lambda/function:Function", "dispatcher-handler-function");
    const visibility = Number(run.one("aws:sqs/queue:Queue", "jobs-queue").inputs.visibilityTimeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(6 * Number(dispatcher.inputs.timeout));
    expect(Number(dispatcher.inputs.timeout)).toBe(config.dispatcher.timeoutSeconds);
  });
});

describe("jobs table", () => {
  const table = () => run.one("aws:dynamodb/table:Table", "jobs-table").inputs;

  it("is on-demand, with point-in-time recovery and encryption at rest", () => {
    expect(table()).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    });
  });

  it("is keyed by jobId alone", () => {
    expect(table().hashKey).toBe("jobId");
    expect(table().rangeKey).toBeUndefined();
    expect(table().attributes).toContainEqual({ name: "jobId", type: "S" });
  });

  it("has the indexes of the history queries: by status and by submission day, newest first", () => {
    const indexes = table().globalSecondaryIndexes as {
      name: string;
      keySchemas: unknown;
      projectionType: string;
    }[];
    expect(indexes.map((index) => [index.name, index.keySchemas])).toEqual([
      [
        "by-status",
        [
          { attributeName: "status", keyType: "HASH" },
          { attributeName: "updatedAt", keyType: "RANGE" },
        ],
      ],
      [
        "by-submitted-day",
        [
          { attributeName: "submittedDay", keyType: "HASH" },
          { attributeName: "submittedAt", keyType: "RANGE" },
        ],
      ],
    ]);
    for (const attribute of ["status", "updatedAt", "submittedDay", "submittedAt"]) {
      expect(table().attributes).toContainEqual({ name: attribute, type: "S" });
    }
  });

  it("projects the job state into the indexes, not the event list", () => {
    const indexes = table().globalSecondaryIndexes as {
      projectionType: string;
      nonKeyAttributes: string[];
    }[];
    for (const index of indexes) {
      expect(index.projectionType).toBe("INCLUDE");
      expect(index.nonKeyAttributes).toEqual(
        expect.arrayContaining(["attempt", "taskArn", "exitCode", "reason"]),
      );
      expect(index.nonKeyAttributes).not.toContain("events");
    }
  });

  it("expires finished jobs through the expiresAt TTL attribute", () => {
    expect(table().ttl).toEqual({ attributeName: "expiresAt", enabled: true });
  });

  it("is not deletion-protected in dev", () => {
    expect(table().deletionProtectionEnabled).toBe(false);
    expect(run.one("aws:dynamodb/table:Table", "jobs-table").protect).toBe(false);
  });
});

describe("capacity table", () => {
  const capacity = () => run.one("aws:dynamodb/table:Table", "jobs-capacity");

  it("is on-demand, with point-in-time recovery and encryption at rest, keyed by the item's name alone", () => {
    expect(capacity().inputs).toEqual({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "name",
      attributes: [{ name: "name", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    });
  });

  it("is what the handlers are told as CAPACITY_TABLE", () => {
    expect(refs.capacityTableName).not.toBe(refs.tableName);
    for (const handler of ["dispatcher", "task-state", "sweeper"]) {
      const fn = run.one("aws:lambda/function:Function", `${handler}-handler-function`);
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      expect(variables.CAPACITY_TABLE).toBe(refs.capacityTableName);
    }
  });
});
