// The CI roles' IAM documents, generated: the one source of what the GitHub OIDC trust, the preview role
// and each stack's deploy role allow. The bootstrap program creates the roles from these functions;
// docs/aws/*.json are their output with placeholders (scripts/generate-ci-policies.ts writes them, and
// tests/bootstrap/policy-documents.test.ts keeps them equal), for people who create the roles another way.
// What each statement must cover is checked against the program and AWS's authorization data in
// tests/bootstrap/deploy-role-coverage.test.ts.

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource?: readonly string[];
  readonly Principal?: { readonly Federated: string };
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Where the roles live. Each is a plain string, so the docs' placeholders (`ACCOUNT_ID`, ...) fill them too. */
export interface AccountScope {
  /** e.g. "123456789012" */
  readonly accountId: string;
  /** The stacks' `aws:region`, e.g. "us-east-1". */
  readonly region: string;
  /** The Pulumi project name: every resource of a stack is named `<project>-<stack>-...`. */
  readonly project: string;
}

export interface StackScope extends AccountScope {
  /** The stack, e.g. "dev". */
  readonly stack: string;
}

/** GitHub's OIDC issuer; its provider ARN is `oidc-provider/<this>`. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** The roles' names, as the workflows' variables in docs/deploying.md name them. */
export const previewRoleName = (project: string): string => `${project}-ci-preview`;
export const deployRoleName = (project: string, stack: string): string => `${project}-ci-deploy-${stack}`;

const inRegion = (region: string) => ({ StringEquals: { "aws:RequestedRegion": region } });

/**
 * The trust of one role: GitHub's OIDC tokens of one repository and one subject (`pull_request`, or
 * `environment:<stack>` for a job in that GitHub environment).
 */
export function trustPolicy(args: {
  readonly accountId: string;
  readonly repository: string;
  readonly subject: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${args.accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${args.repository}:${args.subject}`,
          },
        },
      },
    ],
  };
}

/**
 * What `pulumi preview` of any stack calls: the program's data sources (the default VPC with its
 * attributes and subnets, a new VPC's zones, the S3 gateway endpoint's route tables), and the image
 * build's ECR login and registry cache reads. Nothing that writes.
 */
export function previewPolicy(scope: AccountScope): PolicyDocument {
  const { accountId, region, project } = scope;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "LookUpNetwork",
        Effect: "Allow",
        Action: [
          "ec2:DescribeVpcs",
          // aws.ec2.getVpc reads the DNS attributes and the main route table of the VPC it finds.
          "ec2:DescribeVpcAttribute",
          "ec2:DescribeSubnets",
          "ec2:DescribeRouteTables",
          "ec2:DescribeAvailabilityZones",
        ],
        Resource: ["*"],
        Condition: inRegion(region),
      },
      {
        Sid: "AuthenticateToEcrForTheImageBuild",
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken"],
        Resource: ["*"],
        Condition: inRegion(region),
      },
      {
        Sid: "ReadTheImageBuildCache",
        Effect: "Allow",
        // The build imports its cache from the stack's repository (awsx's cacheFrom); reads only.
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [`arn:aws:ecr:${region}:${accountId}:repository/${project}-*`],
      },
    ],
  };
}

/**
 * What `pulumi up` and `pulumi destroy` of one stack call: service-wide actions on the ARNs named after
 * the stack's resources (`<project>-<stack>-*`), listed actions where AWS authorizes only on `*` (within
 * the region), IAM roles of that stack with listed actions, passed only to Lambda and ECS tasks.
 */
export function deployPolicy(scope: StackScope): PolicyDocument {
  const { accountId, region, project, stack } = scope;
  const own = `${project}-${stack}-*`;
  const regional = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${accountId}:${resource}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnStorageAndMessaging",
        Effect: "Allow",
        Action: ["s3:*", "sqs:*", "dynamodb:*", "sns:*"],
        Resource: [
          `arn:aws:s3:::${own}`,
          `arn:aws:s3:::${own}/*`,
          regional("sqs", own),
          regional("dynamodb", `table/${own}`),
          regional("sns", own),
        ],
      },
      {
        Sid: "OwnFunctionsLogsEventsAndAlarms",
        Effect: "Allow",
        Action: ["lambda:*", "logs:*", "events:*", "cloudwatch:*"],
        Resource: [
          regional("lambda", `function:${own}`),
          regional("logs", `log-group:${own}`),
          regional("events", `rule/${own}`),
          regional("events", `event-bus/${own}`),
          regional("cloudwatch", `alarm:${own}`),
          // Dashboards are global: their ARN has no region. The stack's is named after the stack.
          `arn:aws:cloudwatch::${accountId}:dashboard/${project}-${stack}`,
          `arn:aws:cloudwatch::${accountId}:dashboard/${own}`,
        ],
      },
      {
        Sid: "OwnWorkerClusterAndImages",
        Effect: "Allow",
        Action: ["ecs:*", "ecr:*"],
        Resource: [
          regional("ecs", `cluster/${own}`),
          regional("ecs", `task-definition/${own}`),
          regional("ecr", `repository/${own}`),
        ],
      },
      {
        Sid: "EventSourceMappingsOfOwnFunctions",
        Effect: "Allow",
        Action: [
          "lambda:CreateEventSourceMapping",
          "lambda:UpdateEventSourceMapping",
          "lambda:DeleteEventSourceMapping",
        ],
        Resource: ["*"],
        Condition: { ArnLike: { "lambda:FunctionArn": regional("lambda", `function:${own}`) } },
      },
      {
        // Event source mappings are taggable, and their reads list the tags on the mapping's own ARN
        // (a UUID, which AWS offers no condition to tie to a function for tagging).
        Sid: "TagsOfEventSourceMappings",
        Effect: "Allow",
        Action: ["lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"],
        Resource: [regional("lambda", "event-source-mapping:*")],
      },
      {
        Sid: "ActionsAwsAuthorizesOnlyOnEveryResource",
        Effect: "Allow",
        Action: [
          "lambda:GetEventSourceMapping",
          "lambda:ListEventSourceMappings",
          "logs:DescribeLogGroups",
          "ecs:RegisterTaskDefinition",
          "ecs:DescribeTaskDefinition",
          "ecs:DeregisterTaskDefinition",
          "ecr:GetAuthorizationToken",
        ],
        Resource: ["*"],
        Condition: inRegion(region),
      },
      {
        Sid: "WorkerNetwork",
        Effect: "Allow",
        Action: [
          "ec2:DescribeVpcs",
          "ec2:DescribeVpcAttribute",
          "ec2:DescribeSubnets",
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeAccountAttributes",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSecurityGroupRules",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeInternetGateways",
          "ec2:DescribeNatGateways",
          "ec2:DescribeAddresses",
          "ec2:DescribeAddressesAttribute",
          "ec2:DescribeRouteTables",
          "ec2:DescribeNetworkAcls",
          "ec2:DescribeVpcEndpoints",
          "ec2:DescribePrefixLists",
          "ec2:CreateSecurityGroup",
          "ec2:DeleteSecurityGroup",
          "ec2:AuthorizeSecurityGroupEgress",
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:RevokeSecurityGroupEgress",
          "ec2:RevokeSecurityGroupIngress",
          "ec2:CreateTags",
          "ec2:DeleteTags",
          "ec2:CreateVpc",
          "ec2:DeleteVpc",
          "ec2:ModifyVpcAttribute",
          "ec2:CreateSubnet",
          "ec2:DeleteSubnet",
          "ec2:ModifySubnetAttribute",
          "ec2:CreateInternetGateway",
          "ec2:DeleteInternetGateway",
          "ec2:AttachInternetGateway",
          "ec2:DetachInternetGateway",
          "ec2:AllocateAddress",
          "ec2:ReleaseAddress",
          "ec2:DisassociateAddress",
          "ec2:CreateNatGateway",
          "ec2:DeleteNatGateway",
          "ec2:CreateRouteTable",
          "ec2:DeleteRouteTable",
          "ec2:CreateRoute",
          "ec2:DeleteRoute",
          "ec2:ReplaceRoute",
          "ec2:AssociateRouteTable",
          "ec2:DisassociateRouteTable",
          "ec2:CreateVpcEndpoint",
          "ec2:ModifyVpcEndpoint",
          "ec2:DeleteVpcEndpoints",
        ],
        Resource: ["*"],
        Condition: inRegion(region),
      },
      {
        Sid: "OwnRoles",
        Effect: "Allow",
        Action: [
          "iam:CreateRole",
          "iam:DeleteRole",
          "iam:GetRole",
          "iam:UpdateRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:ListRoleTags",
          "iam:PutRolePolicy",
          "iam:GetRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
        ],
        Resource: [`arn:aws:iam::${accountId}:role/${own}`],
      },
      {
        Sid: "PassOwnRolesToLambdaAndEcsTasks",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [`arn:aws:iam::${accountId}:role/${own}`],
        Condition: {
          StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"] },
        },
      },
      {
        Sid: "EcsServiceLinkedRoleOnFirstCluster",
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: [`arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`],
        Condition: { StringEquals: { "iam:AWSServiceName": "ecs.amazonaws.com" } },
      },
    ],
  };
}

/** The self-managed state backend: Pulumi's prefix of the state bucket, and the stack secrets' KMS key. */
export function stateBackendPolicy(args: {
  readonly stateBucket: string;
  readonly kmsKeyArn: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListState",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: [`arn:aws:s3:::${args.stateBucket}`],
      },
      {
        Sid: "ReadWriteStateAndLocks",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: [`arn:aws:s3:::${args.stateBucket}/.pulumi/*`],
      },
      {
        Sid: "StackSecrets",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [args.kmsKeyArn],
      },
    ],
  };
}

/** The placeholders of the committed documents, which docs/deploying.md's commands fill in. */
export const PLACEHOLDERS = {
  accountId: "ACCOUNT_ID",
  region: "REGION",
  stack: "STACK",
  repository: "OWNER/REPOSITORY",
  subject: "SUBJECT",
  stateBucket: "STATE_BUCKET",
  kmsKeyArn: "KMS_KEY_ARN",
} as const;

/** docs/aws/<file> -> its document with placeholders, for a project. */
export function committedDocuments(project: string): Record<string, PolicyDocument> {
  const { accountId, region, stack, repository, subject, stateBucket, kmsKeyArn } = PLACEHOLDERS;
  return {
    "deploy-policy.json": deployPolicy({ accountId, region, project, stack }),
    "preview-policy.json": previewPolicy({ accountId, region, project }),
    "trust-policy.json": trustPolicy({ accountId, repository, subject }),
    "state-backend-policy.json": stateBackendPolicy({ stateBucket, kmsKeyArn }),
  };
}
