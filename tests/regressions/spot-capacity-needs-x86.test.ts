// Regression found in review (issue 14): Fargate Spot runs Linux tasks on X86_64 only ("Linux tasks with the
// ARM64 architecture don't support the Fargate Spot capacity provider. Fargate Spot only supports Linux tasks
// with the X86_64 architecture." — Amazon ECS developer guide, Fargate capacity providers). The config accepts
// capacity spot or spot-with-fallback with workerArchitecture ARM64, which is the default — and the dev stack
// ships exactly that (Pulumi.dev.yaml: capacity spot-with-fallback, architecture left at ARM64). On AWS every
// FARGATE_SPOT RunTask of that stack is refused; ECS's words are not a capacity shortage, so spotSetback
// does not read them as a Spot refusal and the job is retried on Spot until maxInfraRetries fails it.
// Expected: given workerArchitecture ARM64, when capacity is spot or spot-with-fallback, then the config is
// refused with a clear error naming both keys; and the dev stack's own config parses.

import { expect, it } from "vitest";
import { ConfigurationError } from "../../config/errors";
import { parsePipelineConfig } from "../../config/parse";
import { loadStackConfig } from "../../local/stack-config";

const REPO = `${__dirname}/../..`;

it("refuses Spot capacity for an ARM64 worker, which Fargate Spot cannot run", () => {
  for (const capacity of ["spot", "spot-with-fallback"]) {
    expect(() => parsePipelineConfig({ capacity, workerArchitecture: "ARM64" }), capacity).toThrow(
      ConfigurationError,
    );
    expect(() => parsePipelineConfig({ capacity, workerArchitecture: "ARM64" }), capacity).toThrow(/ARM64/);
  }
  expect(parsePipelineConfig({ capacity: "spot", workerArchitecture: "X86_64" }).worker.capacity).toBe(
    "spot",
  );
});

it("the dev stack runs its worker where it asks to: Spot only with X86_64", () => {
  const dev = loadStackConfig(REPO, "dev");
  const usesSpot = dev.worker.capacity !== "on-demand";
  expect({ usesSpot, architecture: usesSpot ? dev.worker.architecture : "X86_64" }).toEqual({
    usesSpot,
    architecture: "X86_64",
  });
});
