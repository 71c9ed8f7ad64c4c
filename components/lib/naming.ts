// Resource names. Pulumi names most resources `<logical name>-<7 random hex>`, and fails the preview
// when that exceeds the AWS limit of the name; Lambda names take no dots, S3 and ECR no capitals. The
// pipeline name starts every logical name, so checking it up front turns those failures into one
// clear error naming the stack.

/** What Pulumi's auto-naming appends: "-" and 7 random hex characters. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** Name length limits of the auto-named resource types the pipeline creates (shorter than 80). */
export const AWS_NAME_LIMITS: Readonly<Record<string, number>> = {
  "aws:lambda/function:Function": 64,
  "aws:iam/role:Role": 64,
  "aws:s3/bucket:Bucket": 63,
  "aws:cloudwatch/eventRule:EventRule": 64,
};

/**
 * The longest logical name is `<pipeline>-task-state-handler-function`, a Lambda function limited to
 * 64 characters: 64 - 8 - 28 leaves 28 for the pipeline name.
 */
export const MAX_PIPELINE_NAME_LENGTH = 28;

const PIPELINE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why `name` cannot name a pipeline, or undefined. */
export function pipelineNameProblem(name: string): string | undefined {
  if (!PIPELINE_NAME.test(name)) {
    return `"${name}" must be lowercase letters, digits and single hyphens (S3, ECR and Lambda names derive from it)`;
  }
  if (name.length > MAX_PIPELINE_NAME_LENGTH) {
    return `"${name}" is ${name.length} characters; at most ${MAX_PIPELINE_NAME_LENGTH} keep the derived AWS names within their limits`;
  }
  return undefined;
}

/** The pipeline's name for a stack: `<project>-<stack>`, validated. */
export function pipelineName(project: string, stack: string): string {
  const name = `${project}-${stack}`;
  const problem = pipelineNameProblem(name);
  if (problem !== undefined) throw new Error(`stack "${stack}" gives an invalid pipeline name: ${problem}`);
  return name;
}
