// ARNs and names the program computes itself (policies must name resources before, or without,
// reading them back from AWS). Pure string functions over the account, region and partition.

export interface AwsContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** Every revision of one task definition family: what `ecs:RunTask` is allowed to start. */
export function taskDefinitionFamilyArn(aws: AwsContext, family: string): string {
  return `arn:${aws.partition}:ecs:${aws.region}:${aws.accountId}:task-definition/${family}:*`;
}

/** Tasks of one cluster: what `ecs:TagResource` may tag while RunTask creates them. */
export function clusterTasksArn(aws: AwsContext, clusterName: string): string {
  return `arn:${aws.partition}:ecs:${aws.region}:${aws.accountId}:task/${clusterName}/*`;
}

/** Any ECS resource of this account and region: the trust-policy source of tasks assuming the task role. */
export function ecsSourceArn(aws: AwsContext): string {
  return `arn:${aws.partition}:ecs:${aws.region}:${aws.accountId}:*`;
}

/** Log streams of a log group (the log group ARN Pulumi returns has no trailing `:*`). */
export function logStreamsArn(logGroupArn: string): string {
  return `${logGroupArn.replace(/:\*$/, "")}:*`;
}

/** The ECR repository ARN of an image in ECR, or undefined for other registries (no pull permission needed). */
export function ecrRepositoryArnOfImage(image: string, partition: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)/.exec(image);
  if (match === null) return undefined;
  const [, accountId, region, repository] = match;
  return `arn:${partition}:ecr:${region}:${accountId}:repository/${repository}`;
}

/**
 * A task definition family from the pipeline name: letters, digits, hyphens and underscores, at most
 * 255 characters. Stable across deployments, because the dispatcher's RunTask permission names it.
 */
export function taskFamilyName(pipelineName: string): string {
  const family = `${pipelineName}-worker`.replace(/[^A-Za-z0-9_-]/g, "-");
  return family.slice(0, 255);
}
