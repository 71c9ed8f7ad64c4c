// The bootstrap program's configuration (Pulumi.yaml declares the keys), parsed with one clear error per
// bad value naming the key and the fix.

import { z } from "zod";

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const schema = z.object({
  githubRepository: z
    .string({ error: "githubRepository is required: pulumi config set githubRepository <owner>/<name>" })
    .regex(
      /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
      "githubRepository must be <owner>/<name>, e.g. acme/video-jobs",
    ),
  stacks: z
    .array(
      z
        .string()
        .regex(NAME, "each of stacks must be a stack name: lowercase letters, digits, single hyphens"),
    )
    .min(1, "stacks must name at least one stack"),
  pipelineProject: z.string().regex(NAME, "pipelineProject must be the pipeline's Pulumi project name"),
  existingOidcProviderArn: z
    .string()
    .regex(
      /^(arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com)?$/,
      "existingOidcProviderArn must be the ARN of GitHub's provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com) or empty",
    ),
  stateBucket: z.string(),
  stateKmsKeyArn: z.string(),
});

export interface BootstrapConfig {
  readonly repository: string;
  readonly stacks: readonly string[];
  readonly pipelineProject: string;
  readonly existingOidcProviderArn?: string;
  readonly stateBackend?: { readonly stateBucket: string; readonly kmsKeyArn: string };
}

/** Values as the program reads them (strings, and the stacks list), with the project's defaults applied. */
export function parseBootstrapConfig(raw: {
  githubRepository: string | undefined;
  stacks: unknown;
  pipelineProject: string | undefined;
  existingOidcProviderArn: string | undefined;
  stateBucket: string | undefined;
  stateKmsKeyArn: string | undefined;
}): BootstrapConfig {
  const parsed = schema.safeParse({
    ...raw,
    stacks: raw.stacks ?? ["dev", "prod"],
    pipelineProject: raw.pipelineProject ?? "video-jobs",
    existingOidcProviderArn: raw.existingOidcProviderArn ?? "",
    stateBucket: raw.stateBucket ?? "",
    stateKmsKeyArn: raw.stateKmsKeyArn ?? "",
  });
  if (!parsed.success) {
    throw new Error(
      `bootstrap configuration: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`,
    );
  }
  const { githubRepository, stacks, pipelineProject, existingOidcProviderArn, stateBucket, stateKmsKeyArn } =
    parsed.data;
  if ((stateBucket === "") !== (stateKmsKeyArn === "")) {
    throw new Error(
      "bootstrap configuration: set stateBucket and stateKmsKeyArn together (a self-managed backend), or neither",
    );
  }
  return {
    repository: githubRepository,
    stacks: [...new Set(stacks)],
    pipelineProject,
    ...(existingOidcProviderArn === "" ? {} : { existingOidcProviderArn }),
    ...(stateBucket === "" ? {} : { stateBackend: { stateBucket, kmsKeyArn: stateKmsKeyArn } }),
  };
}
