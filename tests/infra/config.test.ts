// The configuration surface: Pulumi.yaml's schema equals the one config.ts validates with, the stack
// files pass the CLI's type check and the program's validation, and bad values fail with clear errors.

import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../config/errors";
import { fargateMemoryOptions } from "../../config/fargate";
import { LAUNCHER_MIN_TIMEOUT_SECONDS, parsePipelineConfig } from "../../config/parse";
import { CONFIG_KEYS, CONFIG_SCHEMA, PROJECT_NAME } from "../../config/schema";
import { projectRawConfig, readProjectFile, STACKS, stackConfigProblems } from "./support/stack-config";

function problemsOf(raw: Record<string, string>): string[] {
  try {
    parsePipelineConfig(raw);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
}

describe("Pulumi.yaml", () => {
  const project = readProjectFile();

  it("is a nodejs TypeScript project named like the schema's namespace", () => {
    expect(project.name).toBe(PROJECT_NAME);
    expect(project.runtime.name).toBe("nodejs");
    expect(project.runtime.options?.typescript).toBe(true);
  });

  it("declares exactly the schema's keys, each with its type, description and default", () => {
    expect(Object.keys(project.config).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const key of CONFIG_KEYS) {
      const spec = CONFIG_SCHEMA[key];
      const declared = project.config[key];
      expect(declared, key).toMatchObject({
        type: spec.type,
        description: spec.description,
        default: spec.default,
      });
      expect(typeof declared?.description === "string" && declared.description.length > 10, key).toBe(true);
      if (spec.type === "array") expect(declared?.items, key).toEqual({ type: "string" });
    }
  });

  it("has defaults that pass the program's validation", () => {
    const config = parsePipelineConfig({});
    expect(config.network).toEqual({ mode: "default-vpc" });
    expect(config.jobs).toEqual({
      maxAttempts: 3,
      retryBaseDelaySeconds: 30,
      retryMaxDelaySeconds: 900,
      nonRetryableExitCodes: "64-78",
      maxInfraRetries: 5,
      jobRetentionDays: 90,
      launchTimeoutMinutes: 15,
      jobTimeoutMinutes: 60,
      sweepQuietMinutes: 5,
      sweepMaxJobs: 1000,
      maxRunningTasks: 100,
      launchRatePerSecond: 20,
      launchBurst: 100,
    });
    expect(config.dispatcher.timeoutSeconds).toBeGreaterThanOrEqual(LAUNCHER_MIN_TIMEOUT_SECONDS);
    expect(config.taskStateTimeoutSeconds).toBeGreaterThanOrEqual(LAUNCHER_MIN_TIMEOUT_SECONDS);
    expect(config.sweepIntervalMinutes).toBe(2);
    expect(config.worker.image).toBeUndefined();
    expect(config.worker.params).toBe("reference");
  });
});

describe.each(STACKS)("Pulumi.%s.yaml", (stack) => {
  it("sets only declared keys, with values of the declared types", () => {
    expect(stackConfigProblems(stack)).toEqual([]);
  });

  it("passes the program's validation", () => {
    expect(() => parsePipelineConfig(projectRawConfig(stack))).not.toThrow();
  });
});

describe("stack profiles", () => {
  it("dev is cheap: default VPC with a public IP, short retention, nothing protected", () => {
    const dev = parsePipelineConfig(projectRawConfig("dev"));
    expect(dev.network.mode).toBe("default-vpc");
    expect(dev.deletionProtection).toBe(false);
    expect(dev.logRetentionDays).toBeLessThanOrEqual(7);
  });

  it("prod is hardened: private subnets of a new VPC, deletion protection, longer retention", () => {
    const prod = parsePipelineConfig(projectRawConfig("prod"));
    expect(prod.network.mode).toBe("new-vpc");
    expect(prod.deletionProtection).toBe(true);
    expect(prod.logRetentionDays).toBeGreaterThanOrEqual(90);
  });
});

describe("validation", () => {
  it("reports every problem at once, each naming its key", () => {
    const problems = problemsOf({
      workerCpu: "300",
      queueMaxReceiveCount: "3",
      logRetentionDays: "10",
      retryMaxDelaySeconds: "1200",
      deletionProtection: "yes",
    });
    expect(problems).toHaveLength(5);
    for (const key of [
      "workerMemoryMb",
      "queueMaxReceiveCount",
      "logRetentionDays",
      "retryMaxDelaySeconds",
    ]) {
      expect(
        problems.some((problem) => problem.startsWith(`${PROJECT_NAME}:${key}:`)),
        key,
      ).toBe(true);
    }
    expect(problems).toContain(`${PROJECT_NAME}:deletionProtection: must be of type boolean (got "yes")`);
  });

  it("throws a ConfigurationError whose message lists the problems", () => {
    expect(() => parsePipelineConfig({ workerArchitecture: "RISCV" })).toThrow(
      /Invalid video-jobs configuration:\n {2}- video-jobs:workerArchitecture: must be one of ARM64, X86_64/,
    );
  });

  it("accepts only Fargate cpu/memory pairs", () => {
    expect(problemsOf({ workerCpu: "1024", workerMemoryMb: "2048" })).toEqual([]);
    expect(problemsOf({ workerCpu: "256", workerMemoryMb: "4096" })[0]).toMatch(
      /workerMemoryMb: .*512, 1024, 2048/,
    );
    expect(problemsOf({ workerCpu: "8192", workerMemoryMb: "20000" })[0]).toMatch(
      /16384-61440 in steps of 4096/,
    );
    expect(fargateMemoryOptions(2048)).toHaveLength(13);
  });

  it("runs on On-Demand unless capacity says spot or spot-with-fallback (dev's choice)", () => {
    expect(parsePipelineConfig({}).worker.capacity).toBe("on-demand");
    expect(parsePipelineConfig(projectRawConfig("dev")).worker.capacity).toBe("spot-with-fallback");
    expect(parsePipelineConfig({ capacity: "spot" }).worker.capacity).toBe("spot");
    expect(problemsOf({ capacity: "SPOT" })).toEqual([
      `${PROJECT_NAME}:capacity: must be one of on-demand, spot, spot-with-fallback (got "SPOT")`,
    ]);
  });

  it("grows out-of-memory retries up to maxWorkerMemoryMb: four times workerMemoryMb unless set", () => {
    expect(parsePipelineConfig({}).worker.maxMemoryMb).toBe(8192);
    expect(parsePipelineConfig({ workerCpu: "16384", workerMemoryMb: "65536" }).worker.maxMemoryMb).toBe(
      122880,
    );
    expect(parsePipelineConfig({ maxWorkerMemoryMb: "2048" }).worker.maxMemoryMb).toBe(2048);
    expect(problemsOf({ maxWorkerMemoryMb: "1024" })).toEqual([
      `${PROJECT_NAME}:maxWorkerMemoryMb: must be at least workerMemoryMb (2048), at most 122880, or 0 for four times workerMemoryMb (got 1024)`,
    ]);
    expect(problemsOf({ maxWorkerMemoryMb: "200000" })[0]).toMatch(
      /maxWorkerMemoryMb: must be between 0 and 122880/,
    );
  });

  it("requires a prebuilt worker image to be pinned by digest", () => {
    const digest = "a".repeat(64);
    expect(
      problemsOf({ workerImage: `123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:${digest}` }),
    ).toEqual([]);
    expect(problemsOf({ workerImage: "public.ecr.aws/acme/worker:latest" })[0]).toMatch(
      /workerImage: .*@sha256/,
    );
  });

  it("keeps outputs out of the input prefix, so outputs never start jobs", () => {
    expect(problemsOf({ inputPrefix: "media/", outputPrefix: "media/out/" })[0]).toMatch(
      /outputPrefix: must not overlap/,
    );
    expect(problemsOf({ inputPrefix: "" })[0]).toMatch(/inputPrefix: must be a non-empty key prefix/);
  });

  it("refuses input suffixes that repeat or end one another in any case, as the dispatcher matches them", () => {
    // One notification rule, no suffix filter (S3's is case-sensitive): the suffixes are the dispatcher's alone.
    expect(problemsOf({ inputSuffixes: JSON.stringify([".mp4", "4"]) })[0]).toMatch(
      /inputSuffixes: must not repeat or end one another in any case \(the dispatcher matches them in any case: "4" already takes what ".mp4" takes\)/,
    );
    expect(problemsOf({ inputSuffixes: JSON.stringify([".mov", ".mov"]) })[0]).toMatch(/inputSuffixes/);
    expect(problemsOf({ inputSuffixes: JSON.stringify([".mp4", ".MP4"]) })[0]).toMatch(
      /inputSuffixes: must not repeat .*"\.MP4" already takes what "\.mp4" takes/,
    );
  });

  it("applies the SQS event source and retry rules", () => {
    expect(problemsOf({ dispatcherBatchSize: "100" })[0]).toMatch(
      /dispatcherBatchWindowSeconds: must be at least 1/,
    );
    expect(problemsOf({ dispatcherBatchSize: "100", dispatcherBatchWindowSeconds: "5" })).toEqual([]);
    expect(problemsOf({ retryBaseDelaySeconds: "120", retryMaxDelaySeconds: "60" })[0]).toMatch(
      /retryMaxDelaySeconds: must not be below retryBaseDelaySeconds/,
    );
    expect(problemsOf({ nonRetryableExitCodes: "64-78,1" })).toEqual([]);
    expect(problemsOf({ nonRetryableExitCodes: "78-64" })[0]).toMatch(/nonRetryableExitCodes/);
    expect(problemsOf({ nonRetryableExitCodes: "300" })[0]).toMatch(/nonRetryableExitCodes/);
  });

  it("takes an alarm email only when it is one address, and alarm thresholds within their ranges", () => {
    expect(problemsOf({ alarmEmail: "ops@example.com" })).toEqual([]);
    expect(parsePipelineConfig({ alarmEmail: "ops@example.com" }).alarms.email).toBe("ops@example.com");
    expect(parsePipelineConfig({}).alarms).toEqual({
      email: undefined,
      oldestMessageMinutes: 15,
      failedJobPercent: 10,
      throttledLaunchesMinutes: 10,
    });
    for (const email of ["ops", "ops@example", "a@example.com,b@example.com", "ops @example.com"]) {
      expect(problemsOf({ alarmEmail: email })[0]).toMatch(
        /alarmEmail: must be empty .* or one email address/,
      );
    }
    expect(problemsOf({ alarmFailedJobPercent: "0" })[0]).toMatch(
      /alarmFailedJobPercent: must be between 1 and 100/,
    );
    expect(problemsOf({ alarmOldestMessageMinutes: "1441" })[0]).toMatch(/alarmOldestMessageMinutes/);
    expect(problemsOf({ alarmThrottledLaunchesMinutes: "0" })[0]).toMatch(/alarmThrottledLaunchesMinutes/);
  });

  it("gives the Lambdas that launch workers time for two launch turns of up to 20 s", () => {
    expect(LAUNCHER_MIN_TIMEOUT_SECONDS).toBe(50);
    expect(problemsOf({ taskStateTimeoutSeconds: "30" })).toEqual([
      `${PROJECT_NAME}:taskStateTimeoutSeconds: must be at least 50 (the Lambda may wait 20 s for a launch turn at launchRatePerSecond, twice when starting waiting jobs) (got 30)`,
    ]);
    const both = problemsOf({ dispatcherTimeoutSeconds: "20", taskStateTimeoutSeconds: "49" });
    expect(both.map((problem) => problem.split(":")[1])).toEqual([
      "dispatcherTimeoutSeconds",
      "taskStateTimeoutSeconds",
    ]);
    expect(problemsOf({ dispatcherTimeoutSeconds: "50", taskStateTimeoutSeconds: "50" })).toEqual([]);
  });

  it("requires the network settings of the chosen network", () => {
    expect(problemsOf({ network: "existing-vpc" }).map((problem) => problem.split(":")[1])).toEqual([
      "existingVpcId",
      "existingSubnetIds",
    ]);
    const existing = parsePipelineConfig({
      network: "existing-vpc",
      existingVpcId: "vpc-0abc",
      existingSubnetIds: JSON.stringify(["subnet-0a", "subnet-0b"]),
    });
    expect(existing.network).toEqual({
      mode: "existing-vpc",
      vpcId: "vpc-0abc",
      subnetIds: ["subnet-0a", "subnet-0b"],
    });
    expect(problemsOf({ network: "new-vpc", vpcCidr: "10.0.0.0/8" })[0]).toMatch(/vpcCidr/);
    expect(problemsOf({ existingSubnetIds: "subnet-0a" })[0]).toMatch(
      /existingSubnetIds: must be of type array/,
    );
  });

  it("takes interface endpoints on a new VPC only, off by default", () => {
    const newVpc = { network: "new-vpc" };
    expect(parsePipelineConfig(newVpc).network).toMatchObject({ mode: "new-vpc", interfaceEndpoints: false });
    expect(parsePipelineConfig({ ...newVpc, vpcInterfaceEndpoints: "true" }).network).toMatchObject({
      mode: "new-vpc",
      interfaceEndpoints: true,
    });
    expect(problemsOf({ vpcInterfaceEndpoints: "true" })).toEqual([
      `${PROJECT_NAME}:vpcInterfaceEndpoints: applies only to network new-vpc (this stack's network is default-vpc, a VPC the stack does not create); unset vpcInterfaceEndpoints or add the endpoints to that VPC yourself (got true)`,
    ]);
    const existing = {
      network: "existing-vpc",
      existingVpcId: "vpc-0abc",
      existingSubnetIds: JSON.stringify(["subnet-0a"]),
    };
    expect(problemsOf({ ...existing, vpcInterfaceEndpoints: "true" })[0]).toMatch(
      /vpcInterfaceEndpoints: applies only to network new-vpc \(this stack's network is existing-vpc/,
    );
    expect(problemsOf({ ...existing, vpcInterfaceEndpoints: "false" })).toEqual([]);
    expect(problemsOf({ ...newVpc, vpcInterfaceEndpoints: "yes" })[0]).toMatch(
      /vpcInterfaceEndpoints: must be of type boolean/,
    );
  });
});
