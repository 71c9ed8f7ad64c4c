// A Lambda function built from one handler entry point: the esbuild bundle, its log group with
// retention, and an execution role holding exactly the permissions it is given plus writing its own
// logs. The dispatcher and the task-state tracker use it; the sweeper will too.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler, type HandlerBundle, LAMBDA_NODE_RUNTIME } from "../lib/bundle";
import {
  lambdaAssumeRolePolicy,
  leastPrivilegeJson,
  type PolicyStatement,
  policyDocument,
  writeLogsStatement,
} from "../lib/policies";

export interface HandlerFunctionArgs {
  /**
   * Directory the entry point and its imports resolve from: the repository root. Required.
   * @example __dirname // in index.ts
   */
  readonly sourceRoot: string;
  /**
   * Handler module relative to `sourceRoot`, exporting `handler`. Required.
   * @example "handlers/dispatcher.ts"
   */
  readonly entryPoint: string;
  /**
   * The function's environment: exactly the variables its handler reads (each component types its own with
   * FunctionEnvironment, so a missing name does not compile). Required.
   * @example functionEnvironment("dispatcher", handlerSettings(config), resources) // video-pipeline.ts
   */
  readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Function timeout in seconds. Required.
   * @example 60
   */
  readonly timeoutSeconds: number;
  /**
   * Function memory in MB. Required.
   * @example 512
   */
  readonly memoryMb: number;
  /**
   * Log group retention in days. Required.
   * @example 14
   */
  readonly logRetentionDays: number;
  /**
   * What the handler may do besides writing its logs. Required.
   * @example [jobsTableStatement(tableArn)]
   */
  readonly permissions: pulumi.Input<PolicyStatement[]>;
}

export class HandlerFunction extends pulumi.ComponentResource {
  /** The Lambda function. */
  readonly function: aws.lambda.Function;
  /** Its execution role. */
  readonly role: aws.iam.Role;
  /** Its log group. */
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** SHA-256 of the bundled code: equal across builds of equal sources. */
  readonly codeSha256: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:HandlerFunction", name, {}, opts);

    const bundle = bundleHandler(args.sourceRoot, args.entryPoint);
    this.codeSha256 = pulumi.output(bundle.then((built) => built.sha256));

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()) },
      { parent: this },
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.permissions, this.logGroup.arn])
          .apply(([permissions, logGroupArn]) =>
            leastPrivilegeJson(policyDocument(...permissions, writeLogsStatement(logGroupArn))),
          ),
      },
      { parent: this },
    );

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        runtime: LAMBDA_NODE_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code: bundle.then(toArchive),
        role: this.role.arn,
        timeout: args.timeoutSeconds,
        memorySize: args.memoryMb,
        environment: { variables: { ...args.environment } },
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      },
      // Event source mappings and invoke configs check the role's permissions when they are created:
      // the function, and everything that references it, waits for the policy.
      { parent: this, dependsOn: [rolePolicy] },
    );

    this.registerOutputs({
      functionName: this.function.name,
      functionArn: this.function.arn,
      roleArn: this.role.arn,
      logGroupName: this.logGroup.name,
      codeSha256: this.codeSha256,
    });
  }
}

/** What a component passes through to its HandlerFunction: its own function args, its entry point's default. */
export type PassedFunctionArgs = Omit<HandlerFunctionArgs, "entryPoint" | "permissions"> & {
  readonly entryPoint?: string;
};

/**
 * The one place a component's Lambda arguments are built (the dispatcher, task-state tracker, sweeper and
 * outcome publisher each pass theirs through here): `args`' own settings, the entry point or its default,
 * and the permissions the component works out.
 */
export function handlerFunctionArgs(
  args: PassedFunctionArgs,
  defaultEntryPoint: string,
  permissions: HandlerFunctionArgs["permissions"],
): HandlerFunctionArgs {
  return {
    sourceRoot: args.sourceRoot,
    entryPoint: args.entryPoint ?? defaultEntryPoint,
    environment: args.environment,
    timeoutSeconds: args.timeoutSeconds,
    memoryMb: args.memoryMb,
    logRetentionDays: args.logRetentionDays,
    permissions,
  };
}

function toArchive(bundle: HandlerBundle): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) });
}
