// S3 buckets private, encrypted and TLS-only. Each is a property of the bucket together with the
// resources that configure it (its public access block, encryption configuration and policy), so these
// rules look at the whole stack: a bucket without, say, a public access block is itself the violation.

import { statementsOf } from "./iam";
import { isRecord, listOf, type Props, readProp, stringsOf, valueAt } from "./props";
import { ofTypes, refersTo, type StackResource, type Violation } from "./stack";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;
export const PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_ACL_TYPES = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"] as const;
export const ENCRYPTION_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
] as const;
export const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";

const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** Outputs that identify a bucket where another resource names it (`bucket: bucket.id`). */
const BUCKET_KEYS = ["bucket", "id"];
const bucketProperty = (props: Props) => readProp(props, "bucket");

const configuring = (resources: readonly StackResource[], types: readonly string[], bucket: StackResource) =>
  ofTypes(resources, types).filter((resource) =>
    refersTo(resource, "bucket", bucket, bucketProperty, BUCKET_KEYS),
  );

/** Every bucket has a public access block with all four settings on; no ACL opens it to the public. */
export function publicAccessViolations(resources: readonly StackResource[]): Violation[] {
  const violations: Violation[] = [];
  for (const bucket of ofTypes(resources, BUCKET_TYPES)) {
    const acl = readProp(bucket.props, "acl");
    if (typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl)) {
      violations.push({
        urn: bucket.urn,
        message: `S3 bucket "${bucket.name}" has the public canned ACL "${acl}". Fix: remove acl (use BucketOwnershipControls with BucketOwnerEnforced, which disables ACLs).`,
      });
    }
    const blocks = configuring(resources, [PUBLIC_ACCESS_BLOCK_TYPE], bucket);
    if (blocks.length === 0) {
      violations.push({
        urn: bucket.urn,
        message: `S3 bucket "${bucket.name}" has no public access block. Fix: add an aws.s3.BucketPublicAccessBlock for it with ${BLOCK_SETTINGS.join(", ")} all true.`,
      });
    }
    for (const block of blocks) {
      const off = BLOCK_SETTINGS.filter((setting) => block.props[setting] !== true);
      if (off.length > 0) {
        violations.push({
          urn: block.urn,
          message: `Public access block "${block.name}" of S3 bucket "${bucket.name}" leaves ${off.join(", ")} off. Fix: set ${off.join(", ")} to true.`,
        });
      }
    }
  }
  for (const acl of ofTypes(resources, BUCKET_ACL_TYPES)) {
    const problem = aclProblem(acl.props);
    if (problem !== undefined) {
      violations.push({
        urn: acl.urn,
        message: `S3 bucket ACL "${acl.name}" ${problem}. Fix: remove it (BucketOwnerEnforced ownership disables ACLs).`,
      });
    }
  }
  return violations;
}

function aclProblem(props: Props): string | undefined {
  const acl = props.acl;
  if (typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl))
    return `grants the public canned ACL "${acl}"`;
  const grants = listOf(readProp(props, "accessControlPolicy", "grants"));
  const publicGrant = grants.some((grant) => {
    const uri = readProp(grant, "grantee", "uri");
    return typeof uri === "string" && PUBLIC_GRANTEES.includes(uri);
  });
  return publicGrant ? "grants access to all (authenticated) AWS users" : undefined;
}

/**
 * Every bucket has default encryption: its own configuration resource or the inline block. (A bucket's
 * inline block is an output AWS fills in once the bucket exists; unknown in a preview, it is read as is,
 * so the engine says the policy cannot run yet rather than reporting a violation.)
 */
export function encryptionViolations(resources: readonly StackResource[]): Violation[] {
  return ofTypes(resources, BUCKET_TYPES)
    .filter((bucket) => {
      const configured = configuring(resources, ENCRYPTION_TYPES, bucket).some((configuration) =>
        listOf(configuration.props.rules).some(encryptsByDefault),
      );
      return (
        !configured && !encryptsByDefault(valueAt(bucket.props, "serverSideEncryptionConfiguration", "rule"))
      );
    })
    .map((bucket) => ({
      urn: bucket.urn,
      message: `S3 bucket "${bucket.name}" has no default encryption. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] (or "aws:kms" with a key).`,
    }));
}

function encryptsByDefault(rule: unknown): boolean {
  const algorithm = readProp(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm");
  return typeof algorithm === "string" && SSE_ALGORITHMS.includes(algorithm);
}

/** Every bucket's policy denies any request made without TLS, on the bucket and its objects. */
export function tlsViolations(resources: readonly StackResource[]): Violation[] {
  return ofTypes(resources, BUCKET_TYPES)
    .filter((bucket) => {
      const policies = configuring(resources, [BUCKET_POLICY_TYPE], bucket).map(
        (policy) => policy.props.policy,
      );
      return (
        !policies.some(deniesInsecureTransport) && !deniesInsecureTransport(valueAt(bucket.props, "policy"))
      );
    })
    .map((bucket) => ({
      urn: bucket.urn,
      message: `S3 bucket "${bucket.name}" does not enforce TLS. Fix: add an aws.s3.BucketPolicy with the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.`,
    }));
}

/** A Deny of every S3 action, by anyone, on the bucket and its objects, when aws:SecureTransport is false. */
export function deniesInsecureTransport(document: unknown): boolean {
  const statements = statementsOf(document);
  if (typeof statements === "string") return false;
  return statements.some(
    (statement) =>
      statement.effect === "Deny" &&
      statement.actions.some((action) => action === "*" || action.toLowerCase() === "s3:*") &&
      isEveryone(statement.principal) &&
      statement.resources.some((resource) => !resource.includes("/")) &&
      statement.resources.some((resource) => resource.endsWith("/*")) &&
      insecureTransportCondition(statement.condition),
  );
}

function isEveryone(principal: unknown): boolean {
  return principal === "*" || stringsOf(readProp(principal, "AWS")).includes("*");
}

function insecureTransportCondition(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  return Object.entries(condition).some(
    ([operator, operands]) =>
      operator.toLowerCase() === "bool" &&
      isRecord(operands) &&
      Object.entries(operands).some(
        ([key, value]) =>
          key.toLowerCase() === "aws:securetransport" &&
          listOf(value).some((item) => String(item).toLowerCase() === "false"),
      ),
  );
}
