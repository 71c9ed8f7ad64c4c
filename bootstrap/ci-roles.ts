// The CI roles of one repository in one account: GitHub's OIDC provider (unless the account has it),
// the preview role trusted from pull requests, and per stack a deploy role trusted from that stack's
// GitHub environment, each with its document from policies.ts as an inline policy (and the state
// backend's, for a self-managed backend).

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  deployPolicy,
  deployRoleName,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  type PolicyDocument,
  previewPolicy,
  previewRoleName,
  stateBackendPolicy,
  trustPolicy,
} from "./policies";

/** Four hours: what a session of these roles may last when the workflow asks for it (IAM allows 1-12 h). */
export const MAX_SESSION_SECONDS = 4 * 3600;

export interface CiRolesArgs {
  /** `owner/name` of the GitHub repository. */
  readonly repository: string;
  /** The pipeline's project name, e.g. "video-jobs". */
  readonly pipelineProject: string;
  /** The pipeline's stacks, one deploy role each. */
  readonly stacks: readonly string[];
  readonly accountId: pulumi.Input<string>;
  /** The stacks' region (this program's `aws:region`). */
  readonly region: string;
  /** GitHub's provider when the account already has it; otherwise this component creates it. */
  readonly existingOidcProviderArn?: string;
  /** The self-managed state backend, when there is one. */
  readonly stateBackend?: { readonly stateBucket: string; readonly kmsKeyArn: string };
}

export class CiRoles extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly previewRole: aws.iam.Role;
  /** By stack. */
  readonly deployRoles: Readonly<Record<string, aws.iam.Role>>;

  constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs-bootstrap:index:CiRoles", name, {}, opts);

    const provider =
      args.existingOidcProviderArn === undefined
        ? new aws.iam.OpenIdConnectProvider(
            `${name}-github`,
            // No thumbprint: IAM trusts GitHub's certificate through its own root CAs.
            // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
            { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
            { parent: this },
          )
        : undefined;
    this.oidcProviderArn = provider?.arn ?? pulumi.output(args.existingOidcProviderArn ?? "");

    const json = (document: pulumi.Output<PolicyDocument> | PolicyDocument) =>
      pulumi.output(document).apply((value) => JSON.stringify(value));
    const role = (
      roleName: string,
      subject: string,
      documents: Record<string, pulumi.Output<PolicyDocument>>,
    ) => {
      const created = new aws.iam.Role(
        roleName,
        {
          name: roleName,
          description: `${args.pipelineProject} CI (${subject}) of ${args.repository}, from bootstrap/`,
          // An update may wait over an hour on a replaced security group (docs/deploying.md, "Changing the
          // network of a running stack"); a workflow asks for up to this with role-duration-seconds.
          maxSessionDuration: MAX_SESSION_SECONDS,
          assumeRolePolicy: json(
            pulumi
              .output(args.accountId)
              .apply((accountId) => trustPolicy({ accountId, repository: args.repository, subject })),
          ),
        },
        { parent: this, dependsOn: provider === undefined ? [] : [provider] },
      );
      for (const [policyName, document] of Object.entries(documents)) {
        new aws.iam.RolePolicy(
          `${roleName}-${policyName}`,
          { role: created.id, name: policyName, policy: json(document) },
          { parent: this },
        );
      }
      return created;
    };
    const withState = (documents: Record<string, pulumi.Output<PolicyDocument>>) =>
      args.stateBackend === undefined
        ? documents
        : { ...documents, "state-backend": pulumi.output(stateBackendPolicy(args.stateBackend)) };
    const scope = pulumi
      .output(args.accountId)
      .apply((accountId) => ({ accountId, region: args.region, project: args.pipelineProject }));

    this.previewRole = role(
      previewRoleName(args.pipelineProject),
      "pull_request",
      withState({ preview: scope.apply(previewPolicy) }),
    );
    this.deployRoles = Object.fromEntries(
      args.stacks.map((stack) => [
        stack,
        role(
          deployRoleName(args.pipelineProject, stack),
          `environment:${stack}`,
          withState({ deploy: scope.apply((value) => deployPolicy({ ...value, stack })) }),
        ),
      ]),
    );
    this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, previewRoleArn: this.previewRole.arn });
  }
}
