// A small evaluator of identity-policy Allow statements, enough for the CI roles: action patterns with
// `*`/`?` (case-insensitive, as IAM matches actions), resource patterns with `*`/`?` (case-sensitive),
// and the condition operators the documents use (StringEquals, StringLike, ArnLike, ArnEquals, with
// their multi-valued lists meaning "any of"). A condition key missing from the request fails its
// operator, as in IAM. An operator it does not know is an error, never a silent allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import type { PolicyDocument, PolicyStatement } from "../../../bootstrap/policies";

export interface Request {
  /** `service:Action` */
  readonly action: string;
  /** The ARN the action is authorized on, or `*`. */
  readonly resource: string;
  /** Condition keys (case-insensitive) and their values; `aws:RequestedRegion` is always set by callers. */
  readonly context: Readonly<Record<string, string>>;
}

function wildcardRegex(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

export const actionMatches = (pattern: string, action: string): boolean =>
  wildcardRegex(pattern, "i").test(action);

export const resourceMatches = (pattern: string, resource: string): boolean =>
  pattern === "*" || wildcardRegex(pattern, "").test(resource);

const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (pattern, value) => pattern === value,
  StringLike: (pattern, value) => wildcardRegex(pattern, "").test(value),
  ArnEquals: (pattern, value) => pattern === value,
  ArnLike: (pattern, value) => wildcardRegex(pattern, "").test(value),
};

function conditionHolds(statement: PolicyStatement, context: Request["context"]): boolean {
  const lowered = Object.fromEntries(
    Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]),
  );
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (test === undefined)
      throw new Error(`${statement.Sid}: condition operator ${operator} is not evaluated here`);
    return Object.entries(keys).every(([key, patterns]) => {
      const value = lowered[key.toLowerCase()];
      const list = typeof patterns === "string" ? [patterns] : patterns;
      return value !== undefined && list.some((pattern) => test(pattern, value));
    });
  });
}

/** The Sid of the first statement allowing the request, or undefined (an implicit deny). */
export function allowingStatement(document: PolicyDocument, request: Request): string | undefined {
  const statement = document.Statement.find(
    (candidate) =>
      candidate.Effect === "Allow" &&
      candidate.Action.some((pattern) => actionMatches(pattern, request.action)) &&
      (candidate.Resource ?? []).some((pattern) => resourceMatches(pattern, request.resource)) &&
      conditionHolds(candidate, request.context),
  );
  return statement?.Sid;
}
