// Each policy of the pack called the way the analyzer calls it, with resources that pass and resources
// that fail; values unknown during a preview are @pulumi/policy's own sentinels behind its own proxy.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { HANDLER_ENVIRONMENT_VARIABLES } from "../../handlers/environment";
import { POLICIES, PRODUCTION_POLICY } from "../../policy/policies";
import { ASSIGN_PUBLIC_IP_VARIABLE } from "../../policy/rules/fargate";
import { actionMatches } from "../../policy/rules/iam";
import { evaluatePack, type PackResource, packResource } from "./support/evaluate-pack";

/** @pulumi/policy's marker for a string the engine does not know yet (internal to the package). */
const UNKNOWN_STRING = (createRequire(__filename)("@pulumi/policy/proxy") as { unknownStringValue: string })
  .unknownStringValue;

const ACCOUNT = "123456789012";
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;

/** The diagnostics one policy reports for these resources. */
async function check(policy: string, resources: PackResource[], config = {}) {
  const selected = POLICIES.filter((candidate) => candidate.name === policy);
  expect(selected, policy).toHaveLength(1);
  return evaluatePack(selected, resources, config);
}

async function violations(policy: string, resources: PackResource[], config = {}) {
  const result = await check(policy, resources, config);
  expect(result.cannotRun).toEqual([]);
  return result.violations;
}

// ---- S3 ------------------------------------------------------------------------------------------

const BUCKET = "aws:s3/bucket:Bucket";
const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

const bucket = (name: string, inputs: Record<string, unknown> = {}) =>
  packResource(BUCKET, name, inputs, {
    outputs: { ...inputs, bucket: `${name}-0a1b2c3`, arn: `arn:aws:s3:::${name}-0a1b2c3` },
  });
const allBlocked = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
const block = (name: string, bucketName: string, settings: Record<string, unknown> = allBlocked) =>
  packResource(BLOCK, name, { bucket: bucketName, ...settings });
const tlsOnly = (bucketArn: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });

describe("s3-bucket-private", () => {
  it("passes a bucket with a public access block that has all four settings on", async () => {
    expect(
      await violations("s3-bucket-private", [bucket("uploads"), block("uploads-pab", "uploads-0a1b2c3")]),
    ).toEqual([]);
  });

  it("fails a bucket without a public access block, naming the bucket and the resource to add", async () => {
    const uploads = bucket("uploads");
    const found = await violations("s3-bucket-private", [uploads, block("other-pab", "other-bucket")]);
    expect(found).toHaveLength(1);
    expect(found[0]?.urn).toBe(uploads.urn);
    expect(found[0]?.message).toMatch(
      /^S3 bucket "uploads" has no public access block\. Fix: add an aws\.s3\.BucketPublicAccessBlock/,
    );
  });

  it("fails a public access block that leaves a setting off, naming the setting", async () => {
    const pab = block("uploads-pab", "uploads-0a1b2c3", { ...allBlocked, restrictPublicBuckets: false });
    const found = await violations("s3-bucket-private", [bucket("uploads"), pab]);
    expect(found).toEqual([
      {
        policy: "s3-bucket-private",
        urn: pab.urn,
        message:
          'Public access block "uploads-pab" of S3 bucket "uploads" leaves restrictPublicBuckets off. Fix: set restrictPublicBuckets to true.',
      },
    ]);
  });

  it("fails a public canned ACL on the bucket and an ACL resource granting everyone", async () => {
    const acl = packResource("aws:s3/bucketAclV2:BucketAclV2", "uploads-acl", {
      bucket: "uploads-0a1b2c3",
      accessControlPolicy: {
        grants: [
          {
            grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
            permission: "READ",
          },
        ],
        owner: { id: "owner" },
      },
    });
    const found = await violations("s3-bucket-private", [
      bucket("uploads", { acl: "public-read" }),
      block("uploads-pab", "uploads-0a1b2c3"),
      acl,
    ]);
    expect(found.map((violation) => violation.message)).toEqual([
      expect.stringMatching(/^S3 bucket "uploads" has the public canned ACL "public-read"\. Fix: remove acl/),
      expect.stringMatching(
        /^S3 bucket ACL "uploads-acl" grants access to all \(authenticated\) AWS users\. Fix:/,
      ),
    ]);
  });

  it("in a preview, tells which bucket a block configures by the resource its bucket came from", async () => {
    const uploads = bucket("uploads");
    const other = bucket("other");
    const pab = packResource(
      BLOCK,
      "uploads-pab",
      { bucket: UNKNOWN_STRING, ...allBlocked },
      {
        propertyDependencies: { bucket: [uploads.urn] },
      },
    );
    const found = await violations("s3-bucket-private", [uploads, other, pab]);
    expect(found.map((violation) => violation.urn)).toEqual([other.urn]);
  });
});

describe("s3-bucket-encrypted", () => {
  const encryption = (bucketName: string, algorithm = "AES256") =>
    packResource(ENCRYPTION, `${bucketName}-sse`, {
      bucket: bucketName,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }],
    });

  it("passes a bucket with an encryption configuration (SSE-S3 or SSE-KMS), or the inline block", async () => {
    expect(
      await violations("s3-bucket-encrypted", [bucket("uploads"), encryption("uploads-0a1b2c3")]),
    ).toEqual([]);
    expect(
      await violations("s3-bucket-encrypted", [bucket("uploads"), encryption("uploads-0a1b2c3", "aws:kms")]),
    ).toEqual([]);
    const inline = bucket("uploads", {
      serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      },
    });
    expect(await violations("s3-bucket-encrypted", [inline])).toEqual([]);
  });

  it("in a preview, cannot decide on a new bucket's inline encryption (an AWS output) without a configuration", async () => {
    const fresh = packResource(
      BUCKET,
      "uploads",
      {},
      { outputs: { serverSideEncryptionConfiguration: UNKNOWN_STRING } },
    );
    const result = await check("s3-bucket-encrypted", [fresh]);
    expect(result.violations).toEqual([]);
    expect(result.cannotRun.map((entry) => entry.message)).toEqual([
      "string value at .serverSideEncryptionConfiguration can't be known during preview",
    ]);
  });

  it("fails a bucket whose only encryption configuration is another bucket's", async () => {
    const uploads = bucket("uploads");
    const found = await violations("s3-bucket-encrypted", [uploads, encryption("other-bucket")]);
    expect(found).toHaveLength(1);
    expect(found[0]?.urn).toBe(uploads.urn);
    expect(found[0]?.message).toMatch(
      /^S3 bucket "uploads" has no default encryption\. Fix: add an aws\.s3\.BucketServerSideEncryptionConfiguration/,
    );
  });
});

describe("s3-bucket-tls-only", () => {
  const bucketArn = "arn:aws:s3:::uploads-0a1b2c3";

  it("passes a bucket whose policy denies every request made without TLS", async () => {
    const policy = packResource(BUCKET_POLICY, "uploads-tls-only", {
      bucket: "uploads-0a1b2c3",
      policy: tlsOnly(bucketArn),
    });
    expect(await violations("s3-bucket-tls-only", [bucket("uploads"), policy])).toEqual([]);
  });

  it("fails a bucket without such a policy, or with one that misses the objects or only allows", async () => {
    const uploads = bucket("uploads");
    const objectsMissing = JSON.parse(tlsOnly(bucketArn));
    objectsMissing.Statement[0].Resource = [bucketArn];
    const allowing = JSON.parse(tlsOnly(bucketArn));
    allowing.Statement[0].Effect = "Allow";
    for (const resources of [
      [uploads],
      [
        uploads,
        packResource(BUCKET_POLICY, "p", {
          bucket: "uploads-0a1b2c3",
          policy: JSON.stringify(objectsMissing),
        }),
      ],
      [uploads, packResource(BUCKET_POLICY, "p", { bucket: "uploads-0a1b2c3", policy: allowing })],
    ]) {
      const found = await violations("s3-bucket-tls-only", resources);
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toMatch(
        /^S3 bucket "uploads" does not enforce TLS\. Fix: add an aws\.s3\.BucketPolicy/,
      );
    }
  });
});

// ---- SQS -----------------------------------------------------------------------------------------

const QUEUE = "aws:sqs/queue:Queue";
const queue = (name: string, inputs: Record<string, unknown> = { sqsManagedSseEnabled: true }) =>
  packResource(QUEUE, name, inputs, {
    outputs: { ...inputs, arn: arn("sqs", name), url: `https://sqs/${name}` },
  });
const redriveTo = (target: string) =>
  JSON.stringify({ deadLetterTargetArn: arn("sqs", target), maxReceiveCount: 5 });

describe("sqs-queue-encrypted", () => {
  it("passes SSE-SQS, and a KMS key (also one created with the stack, unknown in a preview)", async () => {
    expect(await violations("sqs-queue-encrypted", [queue("jobs")])).toEqual([]);
    expect(
      await violations("sqs-queue-encrypted", [queue("jobs", { kmsMasterKeyId: "alias/jobs" })]),
    ).toEqual([]);
    expect(
      await violations("sqs-queue-encrypted", [queue("jobs", { kmsMasterKeyId: UNKNOWN_STRING })]),
    ).toEqual([]);
  });

  it("fails a queue with SSE-SQS turned off and no key", async () => {
    const jobs = queue("jobs", { sqsManagedSseEnabled: false });
    expect(await violations("sqs-queue-encrypted", [jobs])).toEqual([
      {
        policy: "sqs-queue-encrypted",
        urn: jobs.urn,
        message:
          'SQS queue "jobs" is not encrypted at rest. Fix: set sqsManagedSseEnabled: true (SSE-SQS), or kmsMasterKeyId to a KMS key.',
      },
    ]);
  });
});

describe("sqs-queue-dead-letter", () => {
  it("passes a queue with a redrive policy and the dead-letter queue it names", async () => {
    const resources = [
      queue("jobs-dlq"),
      queue("jobs", { sqsManagedSseEnabled: true, redrivePolicy: redriveTo("jobs-dlq") }),
    ];
    expect(await violations("sqs-queue-dead-letter", resources)).toEqual([]);
  });

  it("passes a queue that is an EventBridge target's or a Lambda's on-failure destination", async () => {
    const target = packResource("aws:cloudwatch/eventTarget:EventTarget", "rule-target", {
      rule: "rule",
      arn: arn("lambda", "function:f"),
      deadLetterConfig: { arn: arn("sqs", "events-dlq") },
    });
    const invokeConfig = packResource(
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      "async",
      {
        functionName: "f",
        destinationConfig: { onFailure: { destination: arn("sqs", "async-dlq") } },
      },
    );
    const resources = [queue("events-dlq"), queue("async-dlq"), target, invokeConfig];
    expect(await violations("sqs-queue-dead-letter", resources)).toEqual([]);
  });

  it("fails a queue with no dead-letter queue that is not one", async () => {
    const lonely = queue("lonely");
    const found = await violations("sqs-queue-dead-letter", [lonely]);
    expect(found.map((violation) => violation.urn)).toEqual([lonely.urn]);
    expect(found[0]?.message).toMatch(
      /^SQS queue "lonely" has no dead-letter queue and is not one\. Fix: set redrivePolicy/,
    );
  });

  it("in a preview, sees the redrive policy's target through the resource it was computed from", async () => {
    const dlq = queue("jobs-dlq");
    const jobs = packResource(
      QUEUE,
      "jobs",
      { sqsManagedSseEnabled: true, redrivePolicy: UNKNOWN_STRING },
      {
        propertyDependencies: { redrivePolicy: [dlq.urn] },
      },
    );
    expect(await violations("sqs-queue-dead-letter", [dlq, jobs])).toEqual([]);
  });
});

describe("sqs-event-source-batch-item-failures", () => {
  const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
  const mapping = (source: string, inputs: Record<string, unknown> = {}, extra = {}) =>
    packResource(
      MAPPING,
      "dispatcher-source",
      { eventSourceArn: source, functionName: "f", ...inputs },
      extra,
    );

  it("passes an SQS event source that reports batch item failures, and non-SQS sources", async () => {
    const passing = [
      mapping(arn("sqs", "jobs"), { functionResponseTypes: ["ReportBatchItemFailures"] }),
      mapping(arn("dynamodb", "table/jobs/stream/2026-01-01T00:00:00.000"), { startingPosition: "LATEST" }),
    ];
    for (const resource of passing)
      expect(await violations("sqs-event-source-batch-item-failures", [resource])).toEqual([]);
  });

  it("fails an SQS event source without ReportBatchItemFailures, also when its ARN is unknown in a preview", async () => {
    const jobs = queue("jobs");
    for (const resource of [
      mapping(arn("sqs", "jobs")),
      mapping(
        UNKNOWN_STRING,
        { functionResponseTypes: [] },
        { propertyDependencies: { eventSourceArn: [jobs.urn] } },
      ),
    ]) {
      const found = await violations("sqs-event-source-batch-item-failures", [jobs, resource]);
      expect(found.map((violation) => violation.urn)).toEqual([resource.urn]);
      expect(found[0]?.message).toMatch(
        /^Lambda event source mapping "dispatcher-source" reads an SQS queue without reporting batch item failures\. Fix: set functionResponseTypes: \["ReportBatchItemFailures"\]/,
      );
    }
  });
});

// ---- IAM -----------------------------------------------------------------------------------------

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const document = (...statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const rolePolicy = (policy: unknown) =>
  packResource(ROLE_POLICY, "dispatcher-policy", { role: "dispatcher-role", policy });
const passRole = (extra: object = {}) => ({
  Sid: "PassWorkerRoles",
  Effect: "Allow",
  Action: ["iam:PassRole"],
  Resource: [`arn:aws:iam::${ACCOUNT}:role/task`],
  Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
  ...extra,
});

describe("iam-no-wildcard-actions", () => {
  it("passes exact actions, a Deny of s3:* (the TLS-only bucket policy) and an object-form document", async () => {
    const resources = [
      rolePolicy(
        document({
          Sid: "Read",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::b/in/*"],
        }),
      ),
      packResource(BUCKET_POLICY, "tls-only", { bucket: "b", policy: tlsOnly("arn:aws:s3:::b") }),
      packResource(ROLE_POLICY, "object-form", {
        role: "r",
        policy: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:::q" }],
        },
      }),
    ];
    expect(await violations("iam-no-wildcard-actions", resources)).toEqual([]);
  });

  it("fails an allowed wildcard action, naming the resource, the statement and the action", async () => {
    const policy = rolePolicy(
      document({ Sid: "Everything", Effect: "Allow", Action: ["ecs:*", "s3:Get*"], Resource: ["*"] }),
    );
    expect(await violations("iam-no-wildcard-actions", [policy])).toEqual([
      {
        policy: "iam-no-wildcard-actions",
        urn: policy.urn,
        message:
          'IAM role policy "dispatcher-policy" (policy): statement Everything allows wildcard action "ecs:*", "s3:Get*". Fix: list the exact actions the code calls (e.g. "s3:GetObject", not "s3:*").',
      },
    ]);
  });

  it("fails '*' in a role's inline policy, Allow with NotAction, and a policy that is not a document", async () => {
    const role = packResource("aws:iam/role:Role", "admin-role", {
      assumeRolePolicy: document({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
      inlinePolicies: [{ name: "all", policy: document({ Effect: "Allow", Action: "*", Resource: "*" }) }],
    });
    const notAction = rolePolicy(
      document({ Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
    );
    const garbage = packResource("aws:sqs/queuePolicy:QueuePolicy", "queue-policy", {
      queueUrl: "u",
      policy: "{not json",
    });
    const messages = (await violations("iam-no-wildcard-actions", [role, notAction, garbage])).map(
      (v) => v.message,
    );
    expect(messages).toEqual([
      expect.stringMatching(
        /^IAM role "admin-role" \(inlinePolicies\[0\]\): statement #1 allows wildcard action "\*"/,
      ),
      expect.stringMatching(
        /^IAM role policy "dispatcher-policy" \(policy\): statement AllButIam is an Allow with NotAction/,
      ),
      'SQS queue policy "queue-policy" (policy) is not a JSON policy document',
    ]);
  });
});

describe("iam-passrole-conditioned", () => {
  it("passes iam:PassRole on named roles, conditioned on iam:PassedToService", async () => {
    expect(await violations("iam-passrole-conditioned", [rolePolicy(document(passRole()))])).toEqual([]);
  });

  it("fails iam:PassRole (or a pattern covering it) without the condition, or on every role", async () => {
    const unconditioned = rolePolicy(document(passRole({ Condition: undefined })));
    const pattern = rolePolicy(
      document(
        passRole({ Action: "iam:Pass*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }),
      ),
    );
    const everyRole = rolePolicy(document(passRole({ Resource: "*" })));
    const messages = async (resource: PackResource) =>
      (await violations("iam-passrole-conditioned", [resource])).map((violation) => violation.message);
    expect(await messages(unconditioned)).toEqual([
      'IAM role policy "dispatcher-policy" (policy): statement PassWorkerRoles allows iam:PassRole without a condition on iam:PassedToService. Fix: add Condition: { StringEquals: { "iam:PassedToService": "<service>.amazonaws.com" } } (ecs-tasks.amazonaws.com for task roles).',
    ]);
    expect(await messages(pattern)).toHaveLength(1);
    expect(await messages(everyRole)).toEqual([
      'IAM role policy "dispatcher-policy" (policy): statement PassWorkerRoles allows iam:PassRole on every role. Fix: set Resource to the ARNs of the roles it passes.',
    ]);
  });

  it("matches IAM action patterns the way IAM does: * and ?, case-insensitive", () => {
    expect(actionMatches("iam:PassRole", "iam:PassRole")).toBe(true);
    expect(actionMatches("IAM:passrole", "iam:PassRole")).toBe(true);
    expect(actionMatches("iam:Pass*", "iam:PassRole")).toBe(true);
    expect(actionMatches("iam:PassRol?", "iam:PassRole")).toBe(true);
    expect(actionMatches("*", "iam:PassRole")).toBe(true);
    expect(actionMatches("iam:Get*", "iam:PassRole")).toBe(false);
    expect(actionMatches("iam:PassRole.x", "iam:PassRole")).toBe(false);
  });
});

// ---- DynamoDB, logs ------------------------------------------------------------------------------

describe("dynamodb-point-in-time-recovery", () => {
  const table = (pointInTimeRecovery?: object) =>
    packResource("aws:dynamodb/table:Table", "jobs-table", {
      hashKey: "jobId",
      ...(pointInTimeRecovery && { pointInTimeRecovery }),
    });

  it("passes a table with point-in-time recovery on, and fails one with it off or unset", async () => {
    expect(await violations("dynamodb-point-in-time-recovery", [table({ enabled: true })])).toEqual([]);
    for (const resource of [table({ enabled: false }), table()]) {
      expect((await violations("dynamodb-point-in-time-recovery", [resource])).map((v) => v.message)).toEqual(
        [
          'DynamoDB table "jobs-table" has point-in-time recovery off. Fix: set pointInTimeRecovery: { enabled: true }.',
        ],
      );
    }
  });
});

describe("log-group-retention", () => {
  const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
  const FUNCTION = "aws:lambda/function:Function";

  it("passes log groups with a retention and functions logging to a managed group (even unknown in a preview)", async () => {
    const resources = [
      packResource(LOG_GROUP, "worker-logs", { retentionInDays: 14 }),
      packResource(FUNCTION, "dispatcher", {
        runtime: "nodejs22.x",
        loggingConfig: { logFormat: "Text", logGroup: "g" },
      }),
      packResource(FUNCTION, "task-state", {
        runtime: "nodejs22.x",
        loggingConfig: { logFormat: "Text", logGroup: UNKNOWN_STRING },
      }),
    ];
    expect(await violations("log-group-retention", resources)).toEqual([]);
  });

  it("fails a log group without retention, and a function logging to Lambda's default group", async () => {
    const resources = [
      packResource(LOG_GROUP, "forever-logs", {}),
      packResource(LOG_GROUP, "zero-logs", { retentionInDays: 0 }),
      packResource(FUNCTION, "dispatcher", { runtime: "nodejs22.x" }),
    ];
    expect((await violations("log-group-retention", resources)).map((v) => v.message)).toEqual([
      'CloudWatch log group "forever-logs" keeps its logs forever (no retentionInDays). Fix: set retentionInDays (e.g. 14, or the stack\'s logRetentionDays).',
      'CloudWatch log group "zero-logs" keeps its logs forever (no retentionInDays). Fix: set retentionInDays (e.g. 14, or the stack\'s logRetentionDays).',
      expect.stringMatching(
        /^Lambda function "dispatcher" logs to the log group Lambda creates, which never expires\. Fix: create an aws\.cloudwatch\.LogGroup/,
      ),
    ]);
  });
});

// ---- Fargate -------------------------------------------------------------------------------------

describe(PRODUCTION_POLICY, () => {
  const production = { [PRODUCTION_POLICY]: { production: true } };
  const dispatcher = (assignPublicIp: string) =>
    packResource("aws:lambda/function:Function", "dispatcher-handler-function", {
      environment: { variables: { [ASSIGN_PUBLIC_IP_VARIABLE]: assignPublicIp, SUBNET_IDS: "subnet-1" } },
    });

  it("is not applicable to a stack not marked production: dev's tasks may have a public IP", async () => {
    for (const config of [{}, { [PRODUCTION_POLICY]: { production: false } }]) {
      const result = await check(PRODUCTION_POLICY, [dispatcher("ENABLED")], config);
      expect(result.violations).toEqual([]);
      expect(result.notApplicable.map((entry) => entry.message)).toEqual([
        "the stack is not marked production (policy/config/<stack>.json)",
      ]);
    }
  });

  it("on a production stack, passes tasks without a public IP and fails the dispatcher that would assign one", async () => {
    expect(await violations(PRODUCTION_POLICY, [dispatcher("DISABLED")], production)).toEqual([]);
    const publicDispatcher = dispatcher("ENABLED");
    expect(await violations(PRODUCTION_POLICY, [publicDispatcher], production)).toEqual([
      {
        policy: PRODUCTION_POLICY,
        urn: publicDispatcher.urn,
        message:
          'Lambda function "dispatcher-handler-function" starts Fargate tasks with a public IP (ASSIGN_PUBLIC_IP=ENABLED, used for RunTask) on a stack marked production. Fix: run the tasks in private subnets without a public IP (this project: pulumi config set video-jobs:network new-vpc, or existing-vpc with existingVpcId and existingSubnetIds).',
      },
    ]);
  });

  it("on a production stack, fails ECS services and EventBridge targets that assign a public IP", async () => {
    const service = packResource("aws:ecs/service:Service", "api", {
      launchType: "FARGATE",
      networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true },
    });
    const target = packResource("aws:cloudwatch/eventTarget:EventTarget", "nightly", {
      ecsTarget: {
        taskDefinitionArn: "td",
        networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true },
      },
    });
    const privateService = packResource("aws:ecs/service:Service", "private", {
      launchType: "FARGATE",
      networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: false },
    });
    const found = await violations(PRODUCTION_POLICY, [service, target, privateService], production);
    expect(found.map((violation) => violation.message)).toEqual([
      expect.stringMatching(
        /^ECS service "api" starts Fargate tasks with a public IP \(assignPublicIp: true\) on a stack marked production\. Fix:/,
      ),
      expect.stringMatching(/^EventBridge target "nightly" starts Fargate tasks with a public IP/),
    ]);
  });

  it("on a production stack, cannot decide while the public IP setting is unknown (a preview), rather than pass", async () => {
    const result = await check(PRODUCTION_POLICY, [dispatcher(UNKNOWN_STRING)], production);
    expect(result.violations).toEqual([]);
    expect(result.cannotRun).toHaveLength(1);
  });

  it("reads the variable the handlers read for RunTask's public IP setting", () => {
    expect(HANDLER_ENVIRONMENT_VARIABLES).toContain(ASSIGN_PUBLIC_IP_VARIABLE);
  });
});

// ---- the pack as a whole -------------------------------------------------------------------------

describe("the policy pack", () => {
  it("has unique names and a description for every policy, all mandatory by the pack's default", () => {
    const names = POLICIES.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    for (const policy of POLICIES) {
      expect(policy.description.length, policy.name).toBeGreaterThan(20);
      expect(policy.enforcementLevel, policy.name).toBeUndefined();
    }
    expect(readFileSync(path.join(__dirname, "../../policy/index.ts"), "utf8")).toMatch(
      /enforcementLevel: "mandatory"/,
    );
  });

  it("names only resource types that @pulumi/aws defines (a typo would silently disable a rule)", () => {
    const rulesDir = path.join(__dirname, "../../policy/rules");
    const tokens = new Set(
      readdirSync(rulesDir).flatMap((file) =>
        [
          ...readFileSync(path.join(rulesDir, file), "utf8").matchAll(
            /"(aws:[a-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+)"/g,
          ),
        ].map((match) => match[1] as string),
      ),
    );
    expect(tokens.size).toBeGreaterThan(20);
    for (const token of tokens) {
      const [, module, className] = /^aws:([a-z0-9]+)\/[A-Za-z0-9]+:([A-Za-z0-9]+)$/.exec(token) ?? [];
      const resourceClass = (
        aws as unknown as Record<string, Record<string, { __pulumiType?: string } | undefined>>
      )[module ?? ""]?.[className ?? ""];
      expect(resourceClass?.__pulumiType, token).toBe(token);
    }
  });
});
