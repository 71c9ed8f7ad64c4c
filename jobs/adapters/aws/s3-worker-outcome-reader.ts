// WorkerOutcomeReader on S3: one GetObject of `<outputPrefix><jobId>/outcome-<attempt>.json` in the output
// bucket (the worker writes it there, under the prefix the task-state Lambda may read), parsed with the
// worker's own published schema (contracts/outcome-schema.ts, schema only). What the worker said is extra
// information: no file, an unreadable or invalid one, or S3 failing all give undefined, logged, and the
// stop is recorded without it rather than held up.

import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { outcomeFileName, WorkerOutcomeSchema } from "../../../contracts/outcome-schema";
import { outputKeyPrefix, type WorkerTarget } from "../../boundary/worker-environment";
import { defined } from "../../model/defined";
import type { Log, WorkerOutcomeReader, WorkerOutcomeReport } from "../../store/ports";

/** An outcome file is a few hundred bytes; a larger object is read only this far (and then fails to parse). */
const MAX_OUTCOME_BYTES = 16 * 1024;

/** "Not there": without s3:ListBucket (which the Lambda has not), S3 answers a missing key with 403. */
const MISSING = new Set(["NoSuchKey", "NotFound", "AccessDenied"]);

export class S3WorkerOutcomeReader implements WorkerOutcomeReader {
  constructor(
    private readonly s3: S3Client,
    private readonly target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">,
    private readonly log: Log,
  ) {}

  async read(jobId: string, attempt: number): Promise<WorkerOutcomeReport | undefined> {
    const key = `${outputKeyPrefix(jobId, this.target)}${outcomeFileName(attempt)}`;
    const where = { jobId, attempt, bucket: this.target.outputBucket, key };
    let text: string;
    try {
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.target.outputBucket,
          Key: key,
          Range: `bytes=0-${MAX_OUTCOME_BYTES - 1}`,
        }),
      );
      text = (await response.Body?.transformToString("utf8")) ?? "";
    } catch (error) {
      const name = error instanceof Error ? error.name : String(error);
      if (MISSING.has(name)) this.log.info("no worker outcome", { ...where, error: name });
      else this.log.warn("worker outcome not read", { ...where, error: describe(error) });
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.log.warn("worker outcome is not JSON", { ...where, error: describe(error) });
      return undefined;
    }
    const parsed = WorkerOutcomeSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.log.warn("worker outcome does not match its schema", {
        ...where,
        path: issue?.path.join("."),
        issue: issue?.message,
      });
      return undefined;
    }
    const outcome = parsed.data;
    if (outcome.attempt !== attempt || (outcome.jobId !== null && outcome.jobId !== jobId)) {
      this.log.warn("worker outcome is another attempt's", {
        ...where,
        fileJobId: outcome.jobId,
        fileAttempt: outcome.attempt,
      });
      return undefined;
    }
    return {
      code: outcome.code,
      message: outcome.message,
      exitCode: outcome.exitCode,
      ...defined({
        hint: outcome.hint,
        peakMemoryMb: outcome.peakMemoryMb ?? undefined,
        cpuSeconds: outcome.cpuSeconds ?? undefined,
      }),
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
