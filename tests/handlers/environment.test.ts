import { describe, expect, it } from "vitest";
import { HANDLER_ENVIRONMENT_VARIABLES, readHandlerConfig } from "../../handlers/environment";
import { handlerEnvironment } from "../support/handler-env";

const valid = handlerEnvironment("http://127.0.0.1:1", "jobs");

describe("handler environment", () => {
  it("reads a complete environment", () => {
    const config = readHandlerConfig(valid);
    expect(config).toMatchObject({
      tableName: "jobs",
      subnetIds: ["subnet-aaa", "subnet-bbb"],
      assignPublicIp: "DISABLED",
      target: { containerName: "worker", outputBucket: "outputs-bucket", outputPrefix: "outputs/" },
      policy: { maxAttempts: 3, maxInfraRetries: 2, baseDelaySeconds: 30, maxDelaySeconds: 900 },
      retentionDays: 90,
      metrics: { namespace: "VideoJobs", service: "video-jobs-test" },
    });
    expect(config.policy.nonRetryableExitCodes.has(65)).toBe(true);
    expect(config.policy.placement).toEqual({
      capacity: "on-demand",
      workerSize: { cpu: 1024, memoryMib: 2048 },
      maxWorkerMemoryMb: 8192,
    });
  });

  it.each(HANDLER_ENVIRONMENT_VARIABLES.filter((name) => name !== "OUTPUT_PREFIX"))(
    "names %s when it is missing",
    (name) => {
      const { [name]: _missing, ...rest } = valid;
      expect(() => readHandlerConfig(rest)).toThrow(new RegExp(`${name}`));
    },
  );

  it.each([
    ["MAX_ATTEMPTS", "three", /MAX_ATTEMPTS must be a whole number/],
    ["MAX_ATTEMPTS", "0", /MAX_ATTEMPTS must be >= 1/],
    ["RETRY_MAX_DELAY_SECONDS", "901", /RETRY_MAX_DELAY_SECONDS must be <= 900/],
    ["RETRY_MAX_DELAY_SECONDS", "10", /RETRY_MAX_DELAY_SECONDS must be >= RETRY_BASE_DELAY_SECONDS/],
    ["ASSIGN_PUBLIC_IP", "yes", /ASSIGN_PUBLIC_IP must be ENABLED or DISABLED/],
    ["TASK_DEFINITION_ARN", "arn:aws:ecs:us-west-2:1:task-definition/worker", /with its revision/],
    ["NON_RETRYABLE_EXIT_CODES", "64-", /NON_RETRYABLE_EXIT_CODES: invalid exit code/],
    ["OUTPUT_PREFIX", "outputs", /OUTPUT_PREFIX must be empty or a key prefix ending with \//],
    ["OUTPUT_PREFIX", "/outputs/", /not starting with \//],
    ["SUBNET_IDS", " , ", /SUBNET_IDS must list at least one id/],
    ["CAPACITY", "spot-first", /CAPACITY must be one of on-demand, spot, spot-with-fallback/],
    ["WORKER_MEMORY_MB", "3000", /WORKER_CPU 1024 with WORKER_MEMORY_MB 3000 is not a Fargate size/],
    ["MAX_WORKER_MEMORY_MB", "1024", /MAX_WORKER_MEMORY_MB must be >= WORKER_MEMORY_MB/],
    ["MAX_WORKER_MEMORY_MB", "200000", /MAX_WORKER_MEMORY_MB must be <= 122880/],
    ["SECURITY_GROUP_IDS", ",", /SECURITY_GROUP_IDS must list at least one id/],
    ["JOBS_QUEUE_URL", "not a url", /JOBS_QUEUE_URL must be a URL/],
    ["METRICS_NAMESPACE", "AWS/Lambda", /METRICS_NAMESPACE must not start with AWS\//],
    ["METRICS_NAMESPACE", "Video Jobs", /METRICS_NAMESPACE may hold letters, digits/],
    ["METRICS_SERVICE", "", /METRICS_SERVICE is empty/],
  ])("rejects %s=%j", (name, value, message) => {
    expect(() => readHandlerConfig({ ...valid, [name]: value })).toThrow(message);
  });
});
