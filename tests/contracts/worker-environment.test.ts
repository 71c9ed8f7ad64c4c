// The worker's environment is written once (contracts/worker-environment.ts): what the dispatcher puts on
// the container for an attempt is exactly what the reference worker reads back, variable for variable.

import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODE_WORDS } from "../../contracts/exit-codes";
import { REQUIRED_WORKER_VARIABLES, WORKER_ENVIRONMENT } from "../../contracts/worker-environment";
import { workerOverride } from "../../jobs/boundary";
import { exitCodeMeaning } from "../../jobs/model";
import { parseJob } from "../../worker/src/env";

const target = { containerName: "worker", outputBucket: "outputs-bucket", outputPrefix: "outputs/" };

describe("the worker's environment", () => {
  it("the dispatcher's overrides name only the contract's variables, and the worker reads them back", () => {
    const override = workerOverride(
      "s3-0123abcd",
      2,
      { videoUrl: "s3://uploads-bucket/uploads/clip.mp4", params: { maxThumbnails: 3 } },
      target,
    );
    const names = override.environment.map((variable) => variable.name);
    expect(names.sort()).toEqual(Object.keys(WORKER_ENVIRONMENT).sort());
    const env = Object.fromEntries(override.environment.map((variable) => [variable.name, variable.value]));
    const job = parseJob([], env);
    expect(job).toMatchObject({ jobId: "s3-0123abcd", attempt: 2 });
    expect(job.params.maxThumbnails).toBe(3);
  });

  it("without params the override sets exactly the required variables", () => {
    const override = workerOverride("j1", 1, { videoUrl: "https://example.com/v.mp4" }, target);
    expect(override.environment.map((variable) => variable.name)).toEqual([...REQUIRED_WORKER_VARIABLES]);
  });

  it("a history names the contract's non-retryable exit codes in the contract's words", () => {
    expect(exitCodeMeaning(EXIT.invalidVideo)).toBe(EXIT_CODE_WORDS[EXIT.invalidVideo]);
    expect(exitCodeMeaning(EXIT.inputNotFound)).toBe("input not found");
    expect(exitCodeMeaning(EXIT.usage)).toBe("bad input");
  });
});
