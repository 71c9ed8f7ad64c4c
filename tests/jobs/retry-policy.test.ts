import { describe, expect, it } from "vitest";
import { backoffSeconds, parseExitCodes, readLaunchFailure, readStop } from "../../jobs/model/retry-policy";
import { TEST_POLICY } from "../support/factories";

describe("parseExitCodes", () => {
  it("reads codes and ranges", () => {
    expect([...parseExitCodes("1, 64-66")]).toEqual([1, 64, 65, 66]);
    expect(parseExitCodes("").size).toBe(0);
  });
  it.each(["abc", "70-64", "300", "0", "1;2", "-5"])("rejects %j with a clear error", (text) => {
    expect(() => parseExitCodes(text)).toThrow(/exit code/);
  });
});

describe("readStop", () => {
  it.each([
    [{ exitCode: 0 }, "succeeded", undefined],
    [{ exitCode: 1 }, "failed", "exit-code"],
    [{ exitCode: 65 }, "failed", "non-retryable-exit-code"],
    [{ exitCode: 78 }, "failed", "non-retryable-exit-code"],
    [{ exitCode: 79 }, "failed", "exit-code"],
    [{ exitCode: 137 }, "failed", "out-of-memory"],
    [
      { exitCode: 1, containerReason: "OutOfMemoryError: Container killed due to memory usage" },
      "failed",
      "out-of-memory",
    ],
    [
      { stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: ref not found" },
      "failed",
      "infrastructure",
    ],
    [
      { stopCode: "TaskFailedToStart", stoppedReason: "ResourceInitializationError: unable to pull secrets" },
      "failed",
      "infrastructure",
    ],
    [
      { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." },
      "failed",
      "infrastructure",
    ],
    [{ stopCode: "UserInitiated", stoppedReason: "Task stopped by user" }, "failed", "stopped"],
    [
      { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", exitCode: 143 },
      "failed",
      "infrastructure",
    ],
    [
      { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", exitCode: 137 },
      "failed",
      "infrastructure",
    ],
    [
      {
        stopCode: "TerminationNotice",
        stoppedReason: "Host EC2 (instance i-0123) terminated.",
        exitCode: 143,
      },
      "failed",
      "infrastructure",
    ],
  ] as const)("%j -> %s %s", (stop, outcome, kind) => {
    const reading = readStop(stop, TEST_POLICY);
    expect(reading.outcome).toBe(outcome);
    if (kind) expect(reading).toMatchObject({ kind });
  });
});

describe("backoffSeconds", () => {
  it("doubles from the base and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffSeconds(n, TEST_POLICY))).toEqual([10, 20, 40, 60, 60, 60]);
  });
});

describe("readLaunchFailure", () => {
  it.each([
    ["RESOURCE:MEMORY", true],
    ["RESOURCE:ENI", true],
    [
      "Capacity is unavailable at this time. Please try again later or in a different availability zone",
      true,
    ],
    ["MISSING", false],
    ["InvalidParameterException: No Container Instances were found in your cluster.", false],
    ["AccessDeniedException: not authorized to perform ecs:RunTask", false],
    ["ClientException: TaskDefinition is inactive", false],
  ])("%s -> retryable %s", (reason, retryable) => {
    expect(readLaunchFailure(reason)).toEqual({ reason, retryable });
  });

  // ECS words throttling several ways; RunTask's Fargate launch rate comes back as a client error.
  it.each([
    "ThrottlingException: Rate exceeded",
    "InvalidParameterException: Rate exceeded",
    "RequestLimitExceeded: Request limit exceeded.",
    "ThrottlingException: Rate exceeded for RunTask",
  ])("%s -> throttled", (reason) => {
    expect(readLaunchFailure(reason)).toEqual({ reason, retryable: true, throttled: true });
  });

  // The account's Fargate quota (RunTask failures[].reason, in ECS's words from the ECS Developer Guide's
  // service event messages, with its typographic apostrophe; the task-count quota it replaced, and a
  // straight apostrophe as some tools print it): the job waits in line, it is never failed for it.
  it.each([
    "You\u2019ve reached the limit on the number of vCPUs you can run concurrently",
    "You\u2019ve reached the limit on the number of vCPUs you can run concurrently. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    "You've reached the limit on the number of vCPUs you can run concurrently",
    "You\u2019ve reached the limit on the number of tasks you can run concurrently",
  ])("%s -> waits in line (the Fargate quota)", (reason) => {
    expect(readLaunchFailure(reason)).toEqual({ reason, retryable: true, throttled: true });
  });
});
