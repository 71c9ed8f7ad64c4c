// The test lanes (docs/testing.md): `npm test` runs all three, as CI does; `npm run test:unit`,
// `test:integration` and `test:e2e` run one. A test file is in the unit or end-to-end lane only when it is
// listed here; any other file under tests/ — a new one included — runs in the integration lane.
import { defineConfig } from "vitest/config";

/**
 * Pure tests: the job model, configuration, helpers. No server, no child process, no Pulumi. They share
 * one module graph (isolate: false), so the job model and zod are imported once, not once per file.
 */
const UNIT = [
  "tests/bench/burst-pieces.test.ts",
  "tests/bench/burst.test.ts",
  "tests/bench/capacity.test.ts",
  "tests/cli/invocation.test.ts",
  "tests/config/unknown-keys.test.ts",
  "tests/contracts/worker-environment.test.ts",
  "tests/cli/paging.test.ts",
  "tests/cli/show-place-beyond-line.test.ts",
  "tests/cli/time-window.test.ts",
  "tests/handlers/environment.test.ts",
  "tests/handlers/metrics.test.ts",
  "tests/infra/lib.test.ts",
  "tests/infra/policies.test.ts",
  "tests/jobs/admission-duplicate-keeps-held-slot.test.ts",
  "tests/jobs/cancel-waiting-after-throttled-launch.test.ts",
  "tests/jobs/change-job.test.ts",
  "tests/jobs/cost.test.ts",
  "tests/jobs/decide-sweeper.test.ts",
  "tests/jobs/decide.test.ts",
  "tests/jobs/dispatch-id-conflict-frees-slot.test.ts",
  "tests/jobs/evolve.test.ts",
  "tests/jobs/fargate-prices.test.ts",
  "tests/jobs/intake-params.test.ts",
  "tests/jobs/intake-uploads.test.ts",
  "tests/jobs/memory-store.test.ts",
  "tests/jobs/metrics.test.ts",
  "tests/jobs/outcome-schema.test.ts",
  "tests/jobs/placement.test.ts",
  "tests/jobs/resumed-launch-paced.test.ts",
  "tests/jobs/retry-by-hand-after-out-of-memory.test.ts",
  "tests/jobs/retry-by-hand-after-raising-max-memory.test.ts",
  "tests/jobs/retry-by-hand-within-lowered-max-memory.test.ts",
  "tests/jobs/retry-advice.test.ts",
  "tests/jobs/retry-policy.test.ts",
  "tests/jobs/running-tasks-gauge.test.ts",
  "tests/jobs/size-recommendation-launch-size.test.ts",
  "tests/jobs/size-recommendation.test.ts",
  "tests/jobs/slot-repair-during-admission.test.ts",
  "tests/jobs/spot-launch-deadline-falls-back.test.ts",
  "tests/jobs/start-waiting-held-back-keeps-place.test.ts",
  "tests/jobs/task-size.test.ts",
  "tests/jobs/timeline-retry-by-hand-size.test.ts",
  "tests/jobs/timeline.test.ts",
  "tests/jobs/worker-outcome.test.ts",
  "tests/lint/lockfile-engines.test.ts",
  "tests/local/metric-lines.test.ts",
  "tests/local/queue-consumer.test.ts",
  "tests/local/spot-interruption-beyond-timer-range.test.ts",
  "tests/local/sweeper.test.ts",
  "tests/worker/analyse.test.ts",
  "tests/worker/dockerfile.test.ts",
  "tests/worker/env.test.ts",
  "tests/worker/probe.test.ts",
  "tests/worker/schemas.test.ts",
];

/** Whole programs: local mode with the real worker and ffmpeg, and the Pulumi program as Pulumi loads it. */
const END_TO_END = [
  "tests/bootstrap/bootstrap-loader.test.ts",
  "tests/console/console.test.ts",
  "tests/infra/program-loader.test.ts",
  "tests/local/crash-recovery.test.ts",
  "tests/local/failure-reasons.test.ts",
  "tests/local/memory-limit.test.ts",
  "tests/local/memory-need.test.ts",
  "tests/local/out-of-memory-and-spot-fallback.test.ts",
  "tests/local/pipeline.test.ts",
  "tests/local/task-limits.test.ts",
  "tests/local/handler-process-replaced-after-crash.test.ts",
  "tests/local/webhook-delivery.test.ts",
  "tests/local/worker-processes.test.ts",
  "tests/worker/worker.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: one, on this 2-core machine. Most test files wait
    // on child processes, servers and timers rather than compute, so three at once keep both cores busy
    // (measured: npm test 9.5 min with one worker; see docs/testing.md).
    maxWorkers: 3,
    // The SDK versions locked here support Node 20; its notice about later versions is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        extends: true,
        test: { name: "unit", include: UNIT, pool: "threads", isolate: false },
      },
      {
        // Adapters against dynalite and s3rver, handlers with the SDK mocked, the Pulumi program under
        // mocks, the CLI. A process per file: Pulumi's runtime state and the SDK mocks are process-wide.
        extends: true,
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          exclude: [...UNIT, ...END_TO_END],
          pool: "forks",
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: END_TO_END, pool: "forks" },
      },
    ],
  },
});
