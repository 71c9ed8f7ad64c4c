// What the AWS provider calls, per resource type and data source the program declares, and on which ARN
// AWS authorizes each call: the table the deploy and preview roles are checked against. @pulumi/aws is
// terraform-provider-aws bridged, so each entry is sourced from that provider's resource file (its
// create, read, update, delete and tagging functions; `source` names the file under
// https://github.com/hashicorp/terraform-provider-aws/tree/main/). Types built inside awsx's remote
// components are listed by the component (pulumi/pulumi-awsx awsx/ec2/vpc.ts, awsx/ecr/image.ts), since
// under mocks the awsx plugin never builds them.
//
// A resource type or data source that is missing here fails tests/bootstrap/deploy-role-coverage.test.ts:
// add its entry (read its provider file) and, if the roles lack an action, the action to
// bootstrap/policies.ts.

import { createHash } from "node:crypto";

/** A resource as the check sees it: its type, logical name and inputs, in one account and region. */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly accountId: string;
  readonly region: string;
}

export interface Call {
  /** `service:Action`, as IAM names it. */
  readonly actions: readonly string[];
  /** The ARN AWS authorizes these actions on, or `*` for actions AWS authorizes only on every resource. */
  readonly on: (resource: DeclaredResource) => string;
  /** Condition keys the request carries (besides aws:RequestedRegion), e.g. iam:PassedToService. */
  readonly context?: (resource: DeclaredResource) => Record<string, string>;
}

export interface ResourceCalls {
  readonly source: string;
  readonly calls: readonly Call[];
}

/**
 * The physical name of a resource: its `name` input, or what Pulumi's auto-naming makes of its logical
 * name (`<logical>-<7 hex>`; the suffix is random in Pulumi, a hash here).
 */
export function physicalName(resource: DeclaredResource, input = "name"): string {
  const given = resource.inputs[input];
  if (typeof given === "string" && given.length > 0) return given;
  return `${resource.name}-${createHash("sha256").update(resource.name).digest("hex").slice(0, 7)}`;
}

const stringInput = (resource: DeclaredResource, key: string): string => {
  const value = resource.inputs[key];
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(
      `${resource.type} ${resource.name}: input ${key} is not a string (${JSON.stringify(value)})`,
    );
  }
  return value;
};

const regional = (service: string, path: string) => (scope: { accountId: string; region: string }) =>
  `arn:aws:${service}:${scope.region}:${scope.accountId}:${path}`;
const EVERY = () => "*";

/** A name or an ARN (Lambda and SNS inputs take either): the last name segment. */
const lastSegment = (value: string, separator: string) => value.split(separator).pop() ?? value;
const fromUrl = (url: string) => lastSegment(url, "/");

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const functionArn = (resource: DeclaredResource, nameOrArn: string) =>
  regional("lambda", `function:${lastSegment(nameOrArn, ":")}`)(resource);
const queueArnOfUrl = (resource: DeclaredResource, url: string) => regional("sqs", fromUrl(url))(resource);
const roleArnOf = (resource: DeclaredResource, nameOrArn: string) =>
  `arn:aws:iam::${resource.accountId}:role/${lastSegment(nameOrArn, "/")}`;
const ec2Arn = (kind: string, id: string) => regional("ec2", `${kind}/${id}`);

const passRoleTo = (service: string, roleInput: string): Call => ({
  actions: ["iam:PassRole"],
  on: (resource) => roleArnOf(resource, stringInput(resource, roleInput)),
  context: () => ({ "iam:PassedToService": service }),
});

const S3 = "internal/service/s3";
/** Calls of a bucket sub-resource on its bucket. */
const onBucket = (file: string, actions: string[]): ResourceCalls => ({
  source: `${S3}/${file}`,
  calls: [{ actions, on: (resource) => bucketArn(stringInput(resource, "bucket")) }],
});

const queueAttributes = (file: string): ResourceCalls => ({
  source: `internal/service/sqs/${file}`,
  calls: [
    {
      actions: ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
      on: (resource) => queueArnOfUrl(resource, stringInput(resource, "queueUrl")),
    },
  ],
});

const ec2Resource = (file: string, kind: string, id: string, own: string[], everyResource: string[]) => ({
  source: `internal/service/ec2/${file}`,
  calls: [
    {
      actions: [...own, "ec2:CreateTags", "ec2:DeleteTags"],
      on: (resource: DeclaredResource) => ec2Arn(kind, id)(resource),
    },
    { actions: everyResource, on: EVERY },
  ],
});

export const RESOURCE_CALLS: Readonly<Record<string, ResourceCalls>> = {
  "aws:s3/bucket:Bucket": {
    source: `${S3}/bucket.go`,
    calls: [
      {
        actions: [
          "s3:CreateBucket",
          "s3:ListBucket", // HeadBucket, in the read
          "s3:GetBucketAcl",
          "s3:GetBucketCORS",
          "s3:GetBucketWebsite",
          "s3:GetBucketVersioning",
          "s3:GetAccelerateConfiguration",
          "s3:GetBucketRequestPayment",
          "s3:GetBucketLogging",
          "s3:GetLifecycleConfiguration",
          "s3:GetReplicationConfiguration",
          "s3:GetEncryptionConfiguration",
          "s3:GetBucketObjectLockConfiguration",
          "s3:GetBucketPolicy",
          "s3:GetBucketTagging",
          "s3:PutBucketTagging",
          "s3:ListBucketVersions", // forceDestroy empties the bucket first
          "s3:DeleteBucket",
        ],
        on: (resource) => bucketArn(physicalName(resource, "bucket")),
      },
      {
        actions: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
        on: (resource) => `${bucketArn(physicalName(resource, "bucket"))}/uploads/clip.mp4`,
      },
    ],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": onBucket("bucket_ownership_controls.go", [
    "s3:PutBucketOwnershipControls",
    "s3:GetBucketOwnershipControls",
  ]),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": onBucket("bucket_public_access_block.go", [
    "s3:PutBucketPublicAccessBlock", // DeletePublicAccessBlock is authorized by it too
    "s3:GetBucketPublicAccessBlock",
  ]),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": onBucket(
    "bucket_server_side_encryption_configuration.go",
    ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
  ),
  "aws:s3/bucketPolicy:BucketPolicy": onBucket("bucket_policy.go", [
    "s3:PutBucketPolicy",
    "s3:GetBucketPolicy",
    "s3:DeleteBucketPolicy",
  ]),
  "aws:s3/bucketNotification:BucketNotification": onBucket("bucket_notification.go", [
    "s3:PutBucketNotification",
    "s3:GetBucketNotification",
  ]),
  "aws:sqs/queue:Queue": {
    source: "internal/service/sqs/queue.go",
    calls: [
      {
        actions: [
          "sqs:CreateQueue",
          "sqs:GetQueueAttributes",
          "sqs:SetQueueAttributes",
          "sqs:ListQueueTags",
          "sqs:TagQueue",
          "sqs:UntagQueue",
          "sqs:DeleteQueue",
        ],
        on: (resource) => regional("sqs", physicalName(resource))(resource),
      },
    ],
  },
  "aws:sqs/queuePolicy:QueuePolicy": queueAttributes("queue_policy.go"),
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": queueAttributes("queue_redrive_allow_policy.go"),
  "aws:dynamodb/table:Table": {
    source: "internal/service/dynamodb/table.go",
    calls: [
      {
        actions: [
          "dynamodb:CreateTable",
          "dynamodb:DescribeTable",
          "dynamodb:UpdateTable",
          "dynamodb:DescribeContinuousBackups",
          "dynamodb:UpdateContinuousBackups",
          "dynamodb:DescribeTimeToLive",
          "dynamodb:UpdateTimeToLive",
          "dynamodb:ListTagsOfResource",
          "dynamodb:TagResource",
          "dynamodb:UntagResource",
          "dynamodb:DeleteTable",
        ],
        on: (resource) => regional("dynamodb", `table/${physicalName(resource)}`)(resource),
      },
    ],
  },
  "aws:iam/role:Role": {
    source: "internal/service/iam/role.go",
    calls: [
      {
        actions: [
          "iam:CreateRole",
          "iam:GetRole",
          "iam:UpdateRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:DeleteRolePolicy", // delete removes inline policies first
          "iam:ListInstanceProfilesForRole",
          "iam:DeleteRole",
        ],
        on: (resource) => roleArnOf(resource, physicalName(resource)),
      },
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": {
    source: "internal/service/iam/role_policy.go",
    calls: [
      {
        actions: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
        on: (resource) => roleArnOf(resource, stringInput(resource, "role")),
      },
    ],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    source: "internal/service/logs/group.go",
    calls: [
      {
        actions: [
          "logs:CreateLogGroup",
          "logs:PutRetentionPolicy",
          "logs:DeleteRetentionPolicy",
          "logs:ListTagsForResource",
          "logs:TagResource",
          "logs:UntagResource",
          "logs:DeleteLogGroup",
        ],
        on: (resource) => regional("logs", `log-group:${physicalName(resource)}`)(resource),
      },
      { actions: ["logs:DescribeLogGroups"], on: EVERY },
    ],
  },
  "aws:lambda/function:Function": {
    source: "internal/service/lambda/function.go",
    calls: [
      {
        actions: [
          "lambda:CreateFunction",
          "lambda:GetFunction",
          "lambda:GetFunctionConfiguration", // the waiters
          "lambda:GetFunctionConcurrency",
          "lambda:ListVersionsByFunction", // the latest version, in the read
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
          "lambda:ListTags",
          "lambda:TagResource",
          "lambda:UntagResource",
          "lambda:DeleteFunction",
        ],
        on: (resource) => functionArn(resource, physicalName(resource)),
      },
      passRoleTo("lambda.amazonaws.com", "role"),
    ],
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    source: "internal/service/lambda/event_source_mapping.go",
    calls: [
      {
        actions: ["lambda:CreateEventSourceMapping"],
        on: EVERY,
        context: (resource) => ({
          "lambda:FunctionArn": functionArn(resource, stringInput(resource, "functionName")),
        }),
      },
      {
        actions: [
          "lambda:GetEventSourceMapping",
          "lambda:UpdateEventSourceMapping",
          "lambda:DeleteEventSourceMapping",
        ],
        on: regional("lambda", "event-source-mapping:a1b2c3d4-5678-90ab-cdef-11111EXAMPLE"),
        context: (resource) => ({
          "lambda:FunctionArn": functionArn(resource, stringInput(resource, "functionName")),
        }),
      },
      {
        // The mapping is taggable (@pulumi/aws 7 has `tags`): its read lists them on the mapping's ARN,
        // for which AWS offers no function condition.
        actions: ["lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"],
        on: regional("lambda", "event-source-mapping:a1b2c3d4-5678-90ab-cdef-11111EXAMPLE"),
      },
      { actions: ["lambda:ListEventSourceMappings"], on: EVERY },
    ],
  },
  "aws:lambda/permission:Permission": {
    source: "internal/service/lambda/permission.go",
    calls: [
      {
        actions: ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"],
        on: (resource) => functionArn(resource, stringInput(resource, "function")),
      },
    ],
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    source: "internal/service/lambda/function_event_invoke_config.go",
    calls: [
      {
        actions: [
          "lambda:PutFunctionEventInvokeConfig",
          "lambda:GetFunctionEventInvokeConfig",
          "lambda:UpdateFunctionEventInvokeConfig",
          "lambda:DeleteFunctionEventInvokeConfig",
        ],
        on: (resource) => functionArn(resource, stringInput(resource, "functionName")),
      },
    ],
  },
  "aws:cloudwatch/eventRule:EventRule": {
    source: "internal/service/events/rule.go",
    calls: [
      {
        actions: [
          "events:PutRule",
          "events:DescribeRule",
          "events:ListTagsForResource",
          "events:TagResource",
          "events:UntagResource",
          "events:DeleteRule",
        ],
        on: (resource) => regional("events", `rule/${physicalName(resource)}`)(resource),
      },
    ],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    source: "internal/service/events/target.go",
    calls: [
      {
        actions: ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
        on: (resource) => regional("events", `rule/${stringInput(resource, "rule")}`)(resource),
      },
    ],
  },
  "aws:cloudwatch/eventBus:EventBus": {
    source: "internal/service/events/bus.go",
    calls: [
      {
        actions: [
          "events:CreateEventBus",
          "events:DescribeEventBus",
          "events:UpdateEventBus",
          "events:ListTagsForResource",
          "events:TagResource",
          "events:UntagResource",
          "events:DeleteEventBus",
        ],
        on: (resource) => regional("events", `event-bus/${physicalName(resource)}`)(resource),
      },
    ],
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    source: "internal/service/cloudwatch/metric_alarm.go",
    calls: [
      {
        actions: [
          "cloudwatch:PutMetricAlarm",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:ListTagsForResource",
          "cloudwatch:TagResource",
          "cloudwatch:UntagResource",
          "cloudwatch:DeleteAlarms",
        ],
        on: (resource) => regional("cloudwatch", `alarm:${physicalName(resource, "name")}`)(resource),
      },
    ],
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    source: "internal/service/cloudwatch/dashboard.go",
    calls: [
      {
        actions: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
        // Dashboards are global resources: no region in the ARN.
        on: (resource) =>
          `arn:aws:cloudwatch::${resource.accountId}:dashboard/${stringInput(resource, "dashboardName")}`,
      },
    ],
  },
  "aws:sns/topic:Topic": {
    source: "internal/service/sns/topic.go",
    calls: [
      {
        actions: [
          "sns:CreateTopic",
          "sns:GetTopicAttributes",
          "sns:SetTopicAttributes",
          "sns:ListTagsForResource",
          "sns:TagResource",
          "sns:UntagResource",
          "sns:DeleteTopic",
        ],
        on: (resource) => regional("sns", physicalName(resource))(resource),
      },
    ],
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    source: "internal/service/sns/topic_subscription.go",
    calls: [
      {
        // An e-mail subscription stays "pending confirmation": the read finds it by listing the topic's.
        actions: [
          "sns:Subscribe",
          "sns:GetSubscriptionAttributes",
          "sns:SetSubscriptionAttributes",
          "sns:ListSubscriptionsByTopic",
          "sns:Unsubscribe",
        ],
        on: (resource) => stringInput(resource, "topic"),
      },
    ],
  },
  "aws:ecs/cluster:Cluster": {
    source: "internal/service/ecs/cluster.go",
    calls: [
      {
        actions: [
          "ecs:CreateCluster",
          "ecs:DescribeClusters",
          "ecs:UpdateCluster",
          "ecs:ListTagsForResource",
          "ecs:TagResource",
          "ecs:UntagResource",
          "ecs:DeleteCluster",
        ],
        on: (resource) => regional("ecs", `cluster/${physicalName(resource)}`)(resource),
      },
      {
        // ECS creates its service-linked role with the caller's rights on an account's first cluster.
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
        actions: ["iam:CreateServiceLinkedRole"],
        on: (resource) =>
          `arn:aws:iam::${resource.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
        context: () => ({ "iam:AWSServiceName": "ecs.amazonaws.com" }),
      },
    ],
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
    source: "internal/service/ecs/cluster_capacity_providers.go",
    calls: [
      {
        actions: ["ecs:PutClusterCapacityProviders", "ecs:DescribeClusters"],
        on: (resource) => regional("ecs", `cluster/${stringInput(resource, "clusterName")}`)(resource),
      },
    ],
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    source: "internal/service/ecs/task_definition.go",
    calls: [
      {
        actions: [
          "ecs:RegisterTaskDefinition",
          "ecs:ListTagsForResource",
          "ecs:TagResource",
          "ecs:UntagResource",
        ],
        on: (resource) => regional("ecs", `task-definition/${stringInput(resource, "family")}:1`)(resource),
      },
      // skipDestroy keeps old revisions, but a replacement without it deregisters.
      { actions: ["ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition"], on: EVERY },
      passRoleTo("ecs-tasks.amazonaws.com", "executionRoleArn"),
      passRoleTo("ecs-tasks.amazonaws.com", "taskRoleArn"),
    ],
  },
  "aws:ecr/repository:Repository": {
    source: "internal/service/ecr/repository.go",
    calls: [
      {
        actions: [
          "ecr:CreateRepository",
          "ecr:DescribeRepositories",
          "ecr:PutImageScanningConfiguration",
          "ecr:PutImageTagMutability",
          "ecr:ListTagsForResource",
          "ecr:TagResource",
          "ecr:UntagResource",
          "ecr:DeleteRepository",
        ],
        on: (resource) => regional("ecr", `repository/${physicalName(resource)}`)(resource),
      },
    ],
  },
  "aws:ec2/securityGroup:SecurityGroup": ec2Resource(
    "vpc_security_group.go",
    "security-group",
    "sg-0123456789abcdef0",
    [
      "ec2:CreateSecurityGroup",
      "ec2:RevokeSecurityGroupEgress", // the default allow-all egress, at create
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:DeleteSecurityGroup",
    ],
    // The delete first looks for lingering network interfaces using the group.
    ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeNetworkInterfaces"],
  ),
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2Resource(
    "vpc_endpoint.go",
    "vpc-endpoint",
    "vpce-0123456789abcdef0",
    ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"],
    // The read looks up the service's prefix list and the endpoint's network interfaces.
    ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeNetworkInterfaces"],
  ),
  // awsx.ec2.Vpc's children (pulumi/pulumi-awsx awsx/ec2/vpc.ts).
  "aws:ec2/vpc:Vpc": ec2Resource(
    "vpc_.go",
    "vpc",
    "vpc-0123456789abcdef0",
    ["ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute", "ec2:DeleteVpc"],
    // The read: the VPC, its main route table, default network ACL and security group.
    ["ec2:DescribeVpcs", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups"],
  ),
  "aws:ec2/subnet:Subnet": ec2Resource(
    "vpc_subnet.go",
    "subnet",
    "subnet-0123456789abcdef0",
    ["ec2:CreateSubnet", "ec2:ModifySubnetAttribute", "ec2:DeleteSubnet"],
    ["ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces"],
  ),
  "aws:ec2/routeTable:RouteTable": ec2Resource(
    "vpc_route_table.go",
    "route-table",
    "rtb-0123456789abcdef0",
    ["ec2:CreateRouteTable", "ec2:DeleteRouteTable"],
    ["ec2:DescribeRouteTables"],
  ),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2Resource(
    "vpc_route_table_association.go",
    "route-table",
    "rtb-0123456789abcdef0",
    ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    ["ec2:DescribeRouteTables"],
  ),
  "aws:ec2/route:Route": ec2Resource(
    "vpc_route.go",
    "route-table",
    "rtb-0123456789abcdef0",
    ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"],
    ["ec2:DescribeRouteTables"],
  ),
  "aws:ec2/internetGateway:InternetGateway": ec2Resource(
    "vpc_internet_gateway.go",
    "internet-gateway",
    "igw-0123456789abcdef0",
    [
      "ec2:CreateInternetGateway",
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
    ],
    ["ec2:DescribeInternetGateways"],
  ),
  "aws:ec2/eip:Eip": ec2Resource(
    "ec2_eip.go",
    "elastic-ip",
    "eipalloc-0123456789abcdef0",
    ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress"],
    ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
  ),
  "aws:ec2/natGateway:NatGateway": ec2Resource(
    "vpc_nat_gateway.go",
    "natgateway",
    "nat-0123456789abcdef0",
    ["ec2:CreateNatGateway", "ec2:DeleteNatGateway"],
    ["ec2:DescribeNatGateways"],
  ),
  // awsx.ecr.Image's child (pulumi/pulumi-awsx awsx/ecr/image.ts): a BuildKit build pushed to the
  // stack's repository, with its cache imported from it. What a push needs:
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
  "docker-build:index:Image": {
    source: "pulumi/pulumi-awsx awsx/ecr/image.ts; ECR User Guide, image-push-iam",
    calls: [
      {
        actions: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ],
        on: (resource) => regional("ecr", `repository/${stringInput(resource, "repositoryName")}`)(resource),
      },
    ],
  },
};

/**
 * awsx's remote components: the types they declare and the data sources they invoke inside the awsx
 * plugin, which mocks never run. `children` maps a component's inputs to its children's inputs.
 */
export const REMOTE_COMPONENTS: Readonly<
  Record<
    string,
    {
      readonly source: string;
      readonly children: (
        inputs: Record<string, unknown>,
      ) => { type: string; inputs: Record<string, unknown> }[];
      readonly invokes: readonly string[];
    }
  >
> = {
  "awsx:ec2:Vpc": {
    source: "pulumi/pulumi-awsx awsx/ec2/vpc.ts",
    children: () =>
      [
        "aws:ec2/vpc:Vpc",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/route:Route",
        "aws:ec2/eip:Eip",
        "aws:ec2/natGateway:NatGateway",
      ].map((type) => ({ type, inputs: {} })),
    // getDefaultAzs, for numberOfAvailabilityZones.
    invokes: ["aws:index/getAvailabilityZones:getAvailabilityZones"],
  },
  "awsx:ecr:Image": {
    source: "pulumi/pulumi-awsx awsx/ecr/image.ts, awsx/ecr/auth.ts",
    children: (inputs) => [
      {
        type: "docker-build:index:Image",
        inputs: { repositoryName: fromUrl(String(inputs.repositoryUrl)) },
      },
    ],
    // getDockerCredentials: the registry login, in previews too.
    invokes: ["aws:ecr/getAuthorizationToken:getAuthorizationToken"],
  },
};

export interface InvokeCalls {
  readonly source: string;
  /**
   * Read actions: a name for one AWS authorizes on `*`, or the action with the ARN it is authorized on.
   * Empty: the data source calls no authorized API.
   */
  readonly actions: readonly (string | { readonly action: string; readonly on: (scope: Scope) => string })[];
}

export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

export const INVOKE_CALLS: Readonly<Record<string, InvokeCalls>> = {
  "aws:index/getPartition:getPartition": {
    source: "internal/service/meta/partition_data_source.go (from the provider's configuration; no call)",
    actions: [],
  },
  "aws:index/getRegion:getRegion": {
    source:
      "internal/service/meta/region_data_source.go (the provider's region, from its endpoint data; no call)",
    actions: [],
  },
  "aws:index/getCallerIdentity:getCallerIdentity": {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: "No permissions are
    // required to perform this operation."
    source: "internal/service/sts/caller_identity_data_source.go (sts:GetCallerIdentity needs no permission)",
    actions: [],
  },
  "aws:ec2/getVpc:getVpc": {
    // Also the VPC's DNS and address-usage attributes (an error without them) and its main route table.
    source: "internal/service/ec2/vpc_data_source.go",
    actions: [
      "ec2:DescribeVpcs",
      { action: "ec2:DescribeVpcAttribute", on: (scope) => ec2Arn("vpc", "vpc-0123456789abcdef0")(scope) },
      "ec2:DescribeRouteTables",
    ],
  },
  "aws:ec2/getSubnets:getSubnets": {
    source: "internal/service/ec2/vpc_subnets_data_source.go",
    actions: ["ec2:DescribeSubnets"],
  },
  "aws:ec2/getRouteTables:getRouteTables": {
    source: "internal/service/ec2/vpc_route_tables_data_source.go",
    actions: ["ec2:DescribeRouteTables"],
  },
  "aws:index/getAvailabilityZones:getAvailabilityZones": {
    source: "internal/service/ec2/ec2_availability_zones_data_source.go",
    actions: ["ec2:DescribeAvailabilityZones"],
  },
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
    source: "internal/service/ecr/authorization_token_data_source.go",
    actions: ["ecr:GetAuthorizationToken"],
  },
};

/** The image build during a preview reads its cache from the stack's repository (no push). */
export const PREVIEW_IMAGE_BUILD_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
] as const;
