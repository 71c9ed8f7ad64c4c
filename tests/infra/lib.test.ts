// The pure helpers behind the components: naming, ARNs, the event pattern, queue settings and the
// handler environment contract.

import { describe, expect, it } from "vitest";
import {
  clusterTasksArn,
  ecrRepositoryArnOfImage,
  logStreamsArn,
  taskDefinitionFamilyArn,
  taskFamilyName,
} from "../../components/lib/arns";
import { taskStateChangePattern } from "../../components/lib/event-pattern";
import { MAX_PIPELINE_NAME_LENGTH, pipelineName, pipelineNameProblem } from "../../components/lib/naming";
import { redrivePolicy, visibilityTimeoutFor } from "../../components/lib/queue-settings";
import { dockerPlatform } from "../../config/fargate";
import { settingsEnvironment } from "../../config/handler-variables";
import { handlerSettings, parsePipelineConfig } from "../../config/parse";

const aws = { partition: "aws", region: "us-east-1", accountId: "123456789012" };

describe("handler environment contract", () => {
  it("renders the job settings from config as strings (the sweeper's, which reads them all)", () => {
    const config = parsePipelineConfig({ logLevel: "WARN" });
    expect(settingsEnvironment("sweeper", handlerSettings(config))).toMatchObject({
      MAX_ATTEMPTS: "3",
      RETRY_BASE_DELAY_SECONDS: "30",
      RETRY_MAX_DELAY_SECONDS: "900",
      NON_RETRYABLE_EXIT_CODES: "64-78",
      MAX_INFRA_RETRIES: "5",
      JOB_RETENTION_DAYS: "90",
      LAUNCH_TIMEOUT_SECONDS: "900",
      JOB_TIMEOUT_SECONDS: "3600",
      SWEEP_QUIET_SECONDS: "300",
      SWEEP_MAX_JOBS: "1000",
      MAX_RUNNING_TASKS: "100",
      LAUNCH_RATE_PER_SECOND: "20",
      LAUNCH_BURST: "100",
      POWERTOOLS_LOG_LEVEL: "WARN",
    });
  });
});

describe("event pattern", () => {
  it("matches this cluster's task state changes to RUNNING or STOPPED only", () => {
    expect(taskStateChangePattern("arn:aws:ecs:us-east-1:123456789012:cluster/c")).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: ["arn:aws:ecs:us-east-1:123456789012:cluster/c"],
        lastStatus: ["RUNNING", "STOPPED"],
      },
    });
  });
});

describe("queue settings", () => {
  it("makes the visibility timeout six times the consumer's timeout, within the SQS maximum", () => {
    expect(visibilityTimeoutFor(60)).toBe(360);
    expect(visibilityTimeoutFor(900)).toBe(5400);
    expect(() => visibilityTimeoutFor(7201)).toThrow(/above the SQS maximum/);
  });

  it("writes the redrive policy SQS expects", () => {
    expect(JSON.parse(redrivePolicy("arn:dlq", 5))).toEqual({
      deadLetterTargetArn: "arn:dlq",
      maxReceiveCount: 5,
    });
  });
});

describe("names and ARNs", () => {
  it("scopes RunTask and TagResource ARNs to a family and a cluster", () => {
    expect(taskDefinitionFamilyArn(aws, "f")).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/f:*");
    expect(clusterTasksArn(aws, "c")).toBe("arn:aws:ecs:us-east-1:123456789012:task/c/*");
    expect(logStreamsArn("arn:aws:logs:us-east-1:1:log-group:g")).toBe(
      "arn:aws:logs:us-east-1:1:log-group:g:*",
    );
    expect(logStreamsArn("arn:aws:logs:us-east-1:1:log-group:g:*")).toBe(
      "arn:aws:logs:us-east-1:1:log-group:g:*",
    );
  });

  it("finds the ECR repository of a prebuilt image, and none outside ECR", () => {
    const digest = `@sha256:${"0".repeat(64)}`;
    expect(
      ecrRepositoryArnOfImage(`210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/worker${digest}`, "aws"),
    ).toBe("arn:aws:ecr:eu-west-1:210987654321:repository/team/worker");
    expect(ecrRepositoryArnOfImage(`ghcr.io/acme/worker${digest}`, "aws")).toBeUndefined();
  });

  it("derives a valid task family from the pipeline name", () => {
    expect(taskFamilyName("video-jobs-dev")).toBe("video-jobs-dev-worker");
    expect(taskFamilyName("video.jobs/prod")).toBe("video-jobs-prod-worker");
  });

  it("builds the worker image for the task's architecture", () => {
    expect(dockerPlatform("ARM64")).toBe("linux/arm64");
    expect(dockerPlatform("X86_64")).toBe("linux/amd64");
  });
});

describe("pipeline names", () => {
  it("are <project>-<stack> in lowercase, digits and hyphens", () => {
    expect(pipelineName("video-jobs", "dev")).toBe("video-jobs-dev");
    expect(() => pipelineName("video-jobs", "Prod")).toThrow(/stack "Prod" gives an invalid pipeline name/);
    expect(pipelineNameProblem("video-jobs-eu.west")).toMatch(/lowercase letters, digits and single hyphens/);
  });

  it("are short enough for the Lambda function names derived from them", () => {
    expect(pipelineNameProblem("x".repeat(MAX_PIPELINE_NAME_LENGTH))).toBeUndefined();
    expect(pipelineNameProblem("x".repeat(MAX_PIPELINE_NAME_LENGTH + 1))).toMatch(/at most 28/);
    expect(`${"x".repeat(MAX_PIPELINE_NAME_LENGTH)}-task-state-handler-function`.length + 8).toBe(64);
  });
});
