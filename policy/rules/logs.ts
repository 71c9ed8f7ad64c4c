// Logs that expire: every log group has a retention, and every Lambda function logs to a log group the
// stack manages (without one, Lambda creates /aws/lambda/<name> itself, which keeps logs forever).

import { isSet, type Props, readProp, valueAt } from "./props";

export const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";
export const FUNCTION_TYPE = "aws:lambda/function:Function";

/** Why a log group (its inputs) keeps its logs forever, or undefined. */
export function logGroupRetentionProblem(name: string, props: Props): string | undefined {
  const days = valueAt(props, "retentionInDays");
  if (typeof days === "number" && days > 0) return undefined;
  return `CloudWatch log group "${name}" keeps its logs forever (no retentionInDays). Fix: set retentionInDays (e.g. 14, or the stack's logRetentionDays).`;
}

/** Why a Lambda function (its inputs) logs to a log group without retention, or undefined. */
export function functionLogGroupProblem(name: string, props: Props): string | undefined {
  if (isSet(readProp(props, "loggingConfig", "logGroup"))) return undefined;
  return `Lambda function "${name}" logs to the log group Lambda creates, which never expires. Fix: create an aws.cloudwatch.LogGroup with retentionInDays and set loggingConfig: { logFormat, logGroup: <its name> }.`;
}
