// IAM policy documents wherever a resource carries one (role policies, trust policies, bucket and queue
// policies), and two rules over their statements: no allowed action with a wildcard, and iam:PassRole
// only to a named service. Pure functions of a resource's type, name and inputs.

import { isRecord, jsonDocument, listOf, type Props, stringsOf } from "./props";

export interface Statement {
  /** The statement's Sid, or its position (`#1`) when it has none. */
  readonly label: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly hasNotAction: boolean;
  readonly resources: readonly string[];
  readonly hasNotResource: boolean;
  /** Condition keys, lowercased (`iam:passedtoservice`), under any operator. */
  readonly conditionKeys: readonly string[];
  /** Principal and Condition as written. */
  readonly principal: unknown;
  readonly condition: unknown;
}

/** Where a resource type keeps its policy documents, and what to call them in a message. */
interface DocumentSource {
  readonly kind: string;
  readonly documents: (props: Props) => { readonly where: string; readonly document: unknown }[];
}

const policyProperty =
  (where: string) =>
  (props: Props): { where: string; document: unknown }[] =>
    "policy" in props ? [{ where, document: props.policy }] : [];

/**
 * Resources holding IAM documents. KMS key policies are left out on purpose: AWS's recommended key
 * policy grants `kms:*` to the account root, which delegates to IAM rather than granting anything.
 */
export const IAM_DOCUMENT_SOURCES: Readonly<Record<string, DocumentSource>> = {
  "aws:iam/rolePolicy:RolePolicy": { kind: "IAM role policy", documents: policyProperty("policy") },
  "aws:iam/policy:Policy": { kind: "IAM policy", documents: policyProperty("policy") },
  "aws:iam/userPolicy:UserPolicy": { kind: "IAM user policy", documents: policyProperty("policy") },
  "aws:iam/groupPolicy:GroupPolicy": { kind: "IAM group policy", documents: policyProperty("policy") },
  "aws:iam/role:Role": {
    kind: "IAM role",
    documents: (props) => [
      ...("assumeRolePolicy" in props
        ? [{ where: "assumeRolePolicy", document: props.assumeRolePolicy }]
        : []),
      ...listOf(props.inlinePolicies).map((inline, index) => ({
        where: `inlinePolicies[${index}]`,
        document: isRecord(inline) ? inline.policy : undefined,
      })),
    ],
  },
  "aws:s3/bucketPolicy:BucketPolicy": { kind: "S3 bucket policy", documents: policyProperty("policy") },
  "aws:sqs/queuePolicy:QueuePolicy": { kind: "SQS queue policy", documents: policyProperty("policy") },
  "aws:sns/topicPolicy:TopicPolicy": { kind: "SNS topic policy", documents: policyProperty("policy") },
  "aws:ecr/repositoryPolicy:RepositoryPolicy": {
    kind: "ECR repository policy",
    documents: policyProperty("policy"),
  },
};

export const IAM_DOCUMENT_TYPES: readonly string[] = Object.keys(IAM_DOCUMENT_SOURCES);

/** The statements of a policy document, or a problem when it is not one. */
export function statementsOf(document: unknown): Statement[] | string {
  const parsed = jsonDocument(document);
  if (!isRecord(parsed)) return "is not a JSON policy document";
  return listOf(parsed.Statement).map((statement, index) => {
    const fields = isRecord(statement) ? statement : {};
    return {
      label: typeof fields.Sid === "string" && fields.Sid !== "" ? fields.Sid : `#${index + 1}`,
      effect: typeof fields.Effect === "string" ? fields.Effect : "",
      actions: stringsOf(fields.Action),
      hasNotAction: fields.NotAction !== undefined,
      resources: stringsOf(fields.Resource),
      hasNotResource: fields.NotResource !== undefined,
      conditionKeys: isRecord(fields.Condition)
        ? Object.values(fields.Condition).flatMap((operands) =>
            isRecord(operands) ? Object.keys(operands).map((key) => key.toLowerCase()) : [],
          )
        : [],
      principal: fields.Principal,
      condition: fields.Condition,
    };
  });
}

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .split("")
    .map((character) =>
      character === "*" ? ".*" : character === "?" ? "." : character.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${regex}$`, "i").test(action);
}

const hasWildcard = (action: string) => action.includes("*") || action.includes("?");

/** Wildcard actions in Allow statements (and Allow with NotAction, which allows everything else). */
export function wildcardActionProblems(type: string, name: string, props: Props): string[] {
  return documentProblems(type, name, props, (statement) => {
    if (statement.effect !== "Allow") return [];
    const problems: string[] = [];
    const wildcards = statement.actions.filter(hasWildcard);
    if (wildcards.length > 0) {
      problems.push(
        `statement ${statement.label} allows wildcard action ${wildcards.map((a) => `"${a}"`).join(", ")}. ` +
          `Fix: list the exact actions the code calls (e.g. "s3:GetObject", not "s3:*")`,
      );
    }
    if (statement.hasNotAction) {
      problems.push(
        `statement ${statement.label} is an Allow with NotAction, which allows every other action. ` +
          "Fix: use Action with the exact actions needed",
      );
    }
    return problems;
  });
}

/** Allow statements covering iam:PassRole that do not name the service the role may be passed to. */
export function passRoleProblems(type: string, name: string, props: Props): string[] {
  return documentProblems(type, name, props, (statement) => {
    if (statement.effect !== "Allow" || !statement.actions.some((a) => actionMatches(a, "iam:PassRole"))) {
      return [];
    }
    const problems: string[] = [];
    if (!statement.conditionKeys.includes("iam:passedtoservice")) {
      problems.push(
        `statement ${statement.label} allows iam:PassRole without a condition on iam:PassedToService. ` +
          'Fix: add Condition: { StringEquals: { "iam:PassedToService": "<service>.amazonaws.com" } } ' +
          "(ecs-tasks.amazonaws.com for task roles)",
      );
    }
    if (statement.hasNotResource || statement.resources.some((resource) => resource === "*")) {
      problems.push(
        `statement ${statement.label} allows iam:PassRole on every role. ` +
          "Fix: set Resource to the ARNs of the roles it passes",
      );
    }
    return problems;
  });
}

function documentProblems(
  type: string,
  name: string,
  props: Props,
  check: (statement: Statement) => string[],
): string[] {
  const source = IAM_DOCUMENT_SOURCES[type];
  if (source === undefined) return [];
  return source.documents(props).flatMap(({ where, document }) => {
    if (document === undefined) return [];
    const subject = `${source.kind} "${name}" (${where})`;
    const statements = statementsOf(document);
    if (typeof statements === "string") return [`${subject} ${statements}`];
    return statements.flatMap((statement) => check(statement).map((problem) => `${subject}: ${problem}.`));
  });
}
