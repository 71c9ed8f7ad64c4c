// DynamoDB tables recoverable to any second of the last 35 days: point-in-time recovery on.

import { type Props, valueAt } from "./props";

export const TABLE_TYPE = "aws:dynamodb/table:Table";

/** Why a table (its inputs) has no point-in-time recovery, or undefined. */
export function pointInTimeRecoveryProblem(name: string, props: Props): string | undefined {
  if (valueAt(props, "pointInTimeRecovery", "enabled") === true) return undefined;
  return `DynamoDB table "${name}" has point-in-time recovery off. Fix: set pointInTimeRecovery: { enabled: true }.`;
}
