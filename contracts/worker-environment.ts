// The worker's environment: the variables ECS sets on the worker's container for one attempt of a job, the
// input side of the worker contract (contracts/README.md). Written once here; the dispatcher builds them
// (jobs/boundary/worker-environment.ts) and the reference worker reads them (worker/src/env.ts).

export const WORKER_ENVIRONMENT = {
  JOB_ID: "the job's id: 1 to 36 characters of [A-Za-z0-9_-]",
  JOB_ATTEMPT: "the attempt's number, from 1; the outcome file is named after it",
  INPUT_URL: "the video to process: s3://<bucket>/<key> or an https:// URL",
  OUTPUT_URL: "where the results go: s3://<bucket>/<prefix><jobId>/",
  JOB_PARAMS: "optional: the job's params as a JSON object (params.schema.json for the reference worker)",
} as const;

export type WorkerVariable = keyof typeof WORKER_ENVIRONMENT;

/** The variables the dispatcher always sets: a worker started with none of them was given no job. */
export const REQUIRED_WORKER_VARIABLES = [
  "JOB_ID",
  "JOB_ATTEMPT",
  "INPUT_URL",
  "OUTPUT_URL",
] as const satisfies readonly WorkerVariable[];
