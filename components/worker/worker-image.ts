// The worker's container image: built from the repository's worker/ Dockerfile and pushed to a new
// ECR repository, or a prebuilt image given by digest, in which case nothing is built (no Docker
// needed by `pulumi up`). Either way the task definition gets an image pinned by digest.

import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_BY_DIGEST } from "../../config/rules";
import { ecrRepositoryArnOfImage } from "../lib/arns";

export interface WorkerImageArgs {
  /**
   * A prebuilt image pinned by digest (`<repository>@sha256:<hex>`); when set, nothing is built.
   * @default undefined (build `dockerfile`)
   * @example "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker@sha256:<64 hex>"
   */
  readonly prebuiltImage?: string;
  /**
   * Docker build context (used when building). Required.
   * @example "."
   */
  readonly context: string;
  /**
   * Dockerfile path (used when building). Required.
   * @example "worker/Dockerfile"
   */
  readonly dockerfile: string;
  /**
   * Build platform; must match the task's CPU architecture. Required.
   * @example "linux/arm64"
   */
  readonly platform: string;
  /**
   * AWS partition, to name a prebuilt ECR image's repository. Required.
   * @example "aws"
   */
  readonly partition: pulumi.Input<string>;
  /**
   * Delete the repository on `pulumi destroy` even when it holds images.
   * @default false
   * @example true // dev
   */
  readonly forceDelete?: boolean;
}

export class WorkerImage extends pulumi.ComponentResource {
  /** Image reference pinned by digest. */
  readonly imageUri: pulumi.Output<string>;
  /** ARN of the ECR repository the image is pulled from; undefined for images outside ECR. */
  readonly repositoryArn: pulumi.Output<string | undefined>;
  /** The repository created for built images. */
  readonly repository: aws.ecr.Repository | undefined;

  constructor(name: string, args: WorkerImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:worker:WorkerImage", name, {}, opts);

    if (args.prebuiltImage !== undefined) {
      const image = args.prebuiltImage;
      if (!IMAGE_BY_DIGEST.test(image))
        throw new Error(`${name}: prebuiltImage must be pinned by digest: ${image}`);
      this.imageUri = pulumi.output(image);
      this.repositoryArn = pulumi
        .output(args.partition)
        .apply((partition) => ecrRepositoryArnOfImage(image, partition));
      this.repository = undefined;
    } else {
      this.repository = new aws.ecr.Repository(
        `${name}-repository`,
        {
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "AES256" }],
          forceDelete: args.forceDelete ?? false,
        },
        { parent: this },
      );
      const image = new awsx.ecr.Image(
        `${name}-image`,
        {
          repositoryUrl: this.repository.repositoryUrl,
          context: args.context,
          dockerfile: args.dockerfile,
          platform: args.platform,
        },
        { parent: this },
      );
      this.imageUri = image.imageUri;
      this.repositoryArn = this.repository.arn;
    }

    this.registerOutputs({ imageUri: this.imageUri });
  }
}
