// The uploads bucket: private, encrypted, TLS only. Every object created under the input prefix notifies
// the jobs queue, and the dispatcher decides which are videos (jobs/boundary/intake.ts): S3 compares notification
// suffixes case-sensitively, so a ".mp4" filter would silently drop a camera's "CLIP.MP4", and an object
// that is not a video would leave no trace at all. One rule, prefix only, also keeps clear of S3's refusal
// of overlapping rules. Worker outputs are written under the output prefix of the same bucket (never under
// the input prefix, or every output would start a job).

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { leastPrivilegeJson, s3NotificationQueuePolicy, tlsOnlyBucketPolicy } from "../lib/policies";

export interface UploadsBucketArgs {
  /**
   * Key prefix of uploads: every object created under it notifies the jobs queue. Required.
   * @example "uploads/"
   */
  readonly inputPrefix: string;
  /**
   * The queue notified of new uploads; this component owns its queue policy. Required.
   * @example { arn: queue.queue.arn, url: queue.queue.url }
   */
  readonly notificationQueue: { readonly arn: pulumi.Input<string>; readonly url: pulumi.Input<string> };
  /**
   * This account's id, to which the queue policy restricts the notifying bucket. Required.
   * @example "123456789012"
   */
  readonly accountId: pulumi.Input<string>;
  /**
   * Keep the bucket on `pulumi destroy` while it holds objects, and `protect` it.
   * @default false
   * @example true // prod
   */
  readonly deletionProtection?: boolean;
}

export class UploadsBucket extends pulumi.ComponentResource {
  /** The bucket. */
  readonly bucket: aws.s3.Bucket;
  /** Its name (handlers: OUTPUT_BUCKET). */
  readonly bucketName: pulumi.Output<string>;
  /** Its ARN. */
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: UploadsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:storage:UploadsBucket", name, {}, opts);
    const deletionProtection = args.deletionProtection ?? false;

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { forceDestroy: !deletionProtection },
      { parent: this, protect: deletionProtection },
    );
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.lockDown(name);
    this.notifyQueue(name, args);

    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  /** Owner-enforced objects, no public access, default encryption, TLS-only policy. */
  private lockDown(name: string): void {
    const bucket = this.bucket.id;
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this },
    );
    // S3 rejects concurrent changes to a bucket's policy and its public access block.
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket, policy: this.bucketArn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
      { parent: this, dependsOn: [publicAccessBlock] },
    );
  }

  private notifyQueue(name: string, args: UploadsBucketArgs): void {
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-notification-policy`,
      {
        queueUrl: args.notificationQueue.url,
        policy: pulumi
          .all([args.notificationQueue.arn, this.bucketArn, args.accountId])
          .apply(([queueArn, bucketArn, accountId]) =>
            leastPrivilegeJson(s3NotificationQueuePolicy({ queueArn, bucketArn, accountId })),
          ),
      },
      { parent: this },
    );
    // S3 sends a test event when the configuration is saved and refuses it unless the queue policy
    // already admits the bucket: the notification waits for the policy.
    new aws.s3.BucketNotification(
      `${name}-notification`,
      {
        bucket: this.bucket.id,
        queues: [
          {
            queueArn: args.notificationQueue.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: args.inputPrefix,
          },
        ],
      },
      { parent: this, dependsOn: [queuePolicy] },
    );
  }
}
