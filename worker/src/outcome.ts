// The worker says why: each exit's outcome in words (a stable code, a one-line message, a hint) and its
// cost, written as `<OUTPUT_URL>outcome-<attempt>.json` (schema: outcome-schema.ts). The words come from
// the named error that ended the job (errors.ts) and its reason tag; main.ts writes the file on every exit
// it lives to see. Writing it is best effort and bounded in time: it never changes the exit code, and a
// stopping task still exits well within ECS's stop timeout.

import {
  OUTCOME_SCHEMA_VERSION,
  OUTCOME_TEXT_MAX,
  type OutcomeCode,
  outcomeFileName,
  type WorkerOutcome,
  WorkerOutcomeSchema,
} from "../../contracts/outcome-schema";
import { PARAM_NAMES } from "../../contracts/params-schema";
import type { OutcomeLocation } from "./env";
import {
  ContractError,
  InputNotFoundError,
  InvalidVideoError,
  ParamsError,
  TerminatedError,
  TransientError,
  UsageError,
} from "./errors";
import type { Logger } from "./log";
import { describe } from "./log";
import { writeTextOutput } from "./output";
import type { ResourceUsage } from "./resources";
import type { Result } from "./result";
import { createS3Client } from "./s3";

export interface OutcomeWords {
  readonly code: OutcomeCode;
  readonly message: string;
  readonly hint?: string;
  readonly reason?: string;
}

/** Codes of the inputs that are not a processable video, by the InvalidVideoError's reason tag. */
const INVALID_VIDEO: Record<string, { code: OutcomeCode; hint: string }> = {
  "empty-input": { code: "empty-input", hint: "the upload sent no data: upload the file again" },
  "moov-missing": {
    code: "truncated",
    hint: "the file was cut off (an interrupted upload or recording): upload the complete file",
  },
  "partly-undecodable": {
    code: "partly-undecodable",
    hint: "upload the complete file; the part that decodes can be kept by re-encoding it (ffmpeg -i in.mp4 out.mp4)",
  },
  "no-decodable-frames": {
    code: "undecodable",
    hint: "the video stream is corrupt, or in a codec this ffmpeg cannot decode",
  },
  "ffmpeg-rejected": {
    code: "undecodable",
    hint: "the video stream is corrupt, or in a codec this ffmpeg cannot decode",
  },
};
const NOT_A_VIDEO_HINT = "send a video file (MP4, MOV, MKV, WebM...): ffprobe -i <file> shows what it holds";

/** The words for the error that ended the job. */
export function failureWords(error: unknown): OutcomeWords {
  const message = error instanceof Error ? error.message : String(error);
  const reason = error instanceof Error && "reason" in error ? String(error.reason) : undefined;
  const words = (code: OutcomeCode, hint: string): OutcomeWords => ({
    code,
    message,
    hint,
    ...(reason === undefined ? {} : { reason }),
  });
  if (error instanceof InvalidVideoError) {
    const known = INVALID_VIDEO[error.reason];
    return known ? words(known.code, known.hint) : words("not-a-video", NOT_A_VIDEO_HINT);
  }
  if (error instanceof InputNotFoundError) {
    return words(
      "input-not-found",
      "check that the input exists and that the worker may read it (S3: under the stack's inputPrefix)",
    );
  }
  if (error instanceof ParamsError) {
    return words("bad-params", `accepted params: ${PARAM_NAMES.join(", ")} (worker --help describes them)`);
  }
  if (error instanceof UsageError) return words("bad-usage", "worker --help shows the usage");
  if (error instanceof ContractError) {
    return words(
      "bad-environment",
      "the dispatcher sets the worker's environment (contracts/README.md: the worker environment): a deployment problem, not the input's",
    );
  }
  if (error instanceof TransientError) {
    return words("transient", "a new attempt may pass: the job model retries this exit code");
  }
  if (error instanceof TerminatedError) {
    return words(
      "interrupted",
      "the task was stopped (a Spot interruption, a cancel, a stop from outside): the job model retries it",
    );
  }
  return words(
    "internal",
    "a failure of the worker or its deployment, not of the input: see the worker's log",
  );
}

export function successWords(result: Result, outputUrl: string): OutcomeWords {
  const { container, video } = result.media;
  const duration = container.durationSeconds ?? video.durationSeconds;
  const length = duration === null ? "" : `${duration.toFixed(1)} s of `;
  const scenes = `${result.scenes.length} scene${result.scenes.length === 1 ? "" : "s"}`;
  return {
    code: "succeeded",
    message: `analysed ${length}${video.width}x${video.height} ${video.codec}: ${scenes}`,
    hint: `results in ${outputUrl}result.json`,
  };
}

export interface OutcomeFacts {
  readonly location: OutcomeLocation;
  readonly exitCode: number;
  readonly words: OutcomeWords;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly resources: ResourceUsage;
}

export function buildOutcome(facts: OutcomeFacts): WorkerOutcome {
  const { words } = facts;
  return WorkerOutcomeSchema.parse({
    schemaVersion: OUTCOME_SCHEMA_VERSION,
    jobId: facts.location.jobId,
    attempt: facts.location.attempt,
    code: words.code,
    exitCode: facts.exitCode,
    message: oneLine(words.message) || words.code,
    ...(words.hint === undefined ? {} : { hint: oneLine(words.hint) }),
    ...(words.reason === undefined ? {} : { reason: words.reason.slice(0, 100) }),
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    peakMemoryMb: facts.resources.peakMemoryMb,
    cpuSeconds: facts.resources.cpuSeconds,
  });
}

/** How long writing the outcome may take: the stop path has 4 s in all, ECS's stop timeout more. */
const WRITE_TIMEOUT_MS = 2000;

/** Writes the outcome file; never throws (a failure is logged), never takes longer than the bound. */
export async function writeOutcome(
  location: OutcomeLocation,
  outcome: WorkerOutcome,
  deps: { readonly env: NodeJS.ProcessEnv; readonly log: Logger; readonly timeoutMs?: number },
): Promise<boolean> {
  const name = outcomeFileName(location.attempt);
  const signal = AbortSignal.timeout(deps.timeoutMs ?? WRITE_TIMEOUT_MS);
  let client: ReturnType<typeof createS3Client> | undefined;
  try {
    await writeTextOutput(location.output, name, `${JSON.stringify(outcome, null, 2)}\n`, {
      s3: () => {
        client ??= createS3Client(deps.env);
        return client;
      },
      signal,
    });
    return true;
  } catch (error) {
    deps.log.warn("outcome not written", { file: name, error: describe(error) });
    return false;
  } finally {
    client?.destroy();
  }
}

/** One line, within the schema's bound: ffmpeg's messages join several lines. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " | ").trim();
  return flat.length <= OUTCOME_TEXT_MAX ? flat : `${flat.slice(0, OUTCOME_TEXT_MAX - 1)}…`;
}
