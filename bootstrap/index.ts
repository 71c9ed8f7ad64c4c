// Entry point of the bootstrap project (`pulumi up` in bootstrap/, once per account, as an
// administrator): configuration -> the CI roles -> the ARNs the GitHub settings take.
// Loaded by Pulumi's Node.js host through ts-node as CommonJS, like the pipeline's program.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CiRoles } from "./ci-roles";
import { parseBootstrapConfig } from "./config";

const config = new pulumi.Config();
const settings = parseBootstrapConfig({
  githubRepository: config.get("githubRepository"),
  stacks: config.getObject<unknown>("stacks"),
  pipelineProject: config.get("pipelineProject"),
  existingOidcProviderArn: config.get("existingOidcProviderArn"),
  stateBucket: config.get("stateBucket"),
  stateKmsKeyArn: config.get("stateKmsKeyArn"),
});
const region = aws.config.region;
if (region === undefined)
  throw new Error("bootstrap: set aws:region to the stacks' region (pulumi config set aws:region us-east-1)");

const roles = new CiRoles("ci", {
  ...settings,
  accountId: aws.getCallerIdentityOutput().accountId,
  region,
});

/** Repository variable AWS_PREVIEW_ROLE_ARN. */
export const previewRoleArn = roles.previewRole.arn;
/** Per stack: the `AWS_DEPLOY_ROLE_ARN` variable of the GitHub environment of that name. */
export const deployRoleArns = pulumi.output(
  Object.fromEntries(Object.entries(roles.deployRoles).map(([stack, role]) => [stack, role.arn])),
);
export const oidcProviderArn = roles.oidcProviderArn;
