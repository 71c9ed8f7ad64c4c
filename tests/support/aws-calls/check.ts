// Whether recorded AWS calls are allowed by a role: each call's authorizations (authorizations.ts) checked
// against AWS's data and evaluated under the role's policy (evaluate.ts). The tests that record calls end
// with `expectCallsAllowed`, which fails naming every call the role would not allow and why.

import type { PolicyDocument } from "../../../components/lib/policies";
import { type Authorization, authorizationsOf, operationOf, type StackWorld } from "./authorizations";
import { type Decision, evaluate, referenceProblems } from "./evaluate";
import type { AwsCall } from "./recorder";
import { type RuntimeFunction, stackRoles, stackWorld } from "./stack-roles";

export interface CheckedAuthorization {
  readonly operation: string;
  readonly authorization: Authorization;
  readonly problems: readonly string[];
  readonly decision: Decision;
}

export interface CallsReport {
  readonly calls: number;
  readonly operations: readonly string[];
  /** Distinct IAM actions the calls needed. */
  readonly actions: readonly string[];
  /** Authorizations that followed exceptions.ts instead of AWS's data. */
  readonly overridden: number;
  readonly failures: readonly string[];
}

/** Every authorization of the calls, checked and evaluated under `policy`. */
export async function checkCalls(
  policy: PolicyDocument,
  calls: readonly AwsCall[],
  world: StackWorld,
): Promise<CheckedAuthorization[]> {
  const checked: CheckedAuthorization[] = [];
  for (const call of calls) {
    const operation = operationOf(call);
    for (const authorization of authorizationsOf(call, world)) {
      checked.push({
        operation,
        authorization,
        problems: await referenceProblems(authorization),
        decision: evaluate([policy], authorization),
      });
    }
  }
  return checked;
}

export function reportOf(calls: readonly AwsCall[], checked: readonly CheckedAuthorization[]): CallsReport {
  const failures = checked.flatMap(({ operation, authorization: a, problems, decision }) => [
    ...problems.map((problem) => `${operation}: ${problem}`),
    ...(decision.allowed
      ? []
      : [
          `${operation}: ${a.action} on ${a.resource} (context ${JSON.stringify(a.context)}) is not allowed by the role`,
        ]),
  ]);
  return {
    calls: calls.length,
    operations: [...new Set(checked.map((c) => c.operation))].sort(),
    actions: [...new Set(checked.map((c) => c.authorization.action))].sort(),
    overridden: checked.filter((c) => c.authorization.exception !== undefined).length,
    failures: [...new Set(failures)],
  };
}

/**
 * Fails unless the role the program gives `fn` allows every call (as AWS's data describes the call);
 * returns the report for the measurements.
 */
export async function expectCallsAllowed(
  fn: RuntimeFunction,
  calls: readonly AwsCall[],
  testEnvironment: Readonly<Record<string, string | undefined>>,
): Promise<CallsReport> {
  if (calls.length === 0)
    throw new Error(`no AWS calls were recorded for the ${fn}: is the recorder attached?`);
  const stack = await stackRoles();
  const checked = await checkCalls(stack.policies[fn], calls, stackWorld(stack, fn, testEnvironment));
  const report = reportOf(calls, checked);
  if (report.failures.length > 0) {
    throw new Error(`the ${fn}'s role would not allow its calls on AWS:\n  ${report.failures.join("\n  ")}`);
  }
  // The measurement the closing note reports (vitest prints it with the file's output).
  console.info(
    `aws-calls ${fn}: ${report.calls} calls, operations ${report.operations.join(" ")}; actions ${report.actions.length} (${report.actions.join(" ")}); overridden ${report.overridden}`,
  );
  return report;
}
