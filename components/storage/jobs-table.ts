// The jobs table: one item per job holding its event history and folded state. Its key, indexes, their
// projections and the TTL attribute come from jobs/store/table-schema.ts, the same constants the DynamoDB
// adapter (and local mode's table) use, so the deployed table cannot drift from what the code queries.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CAPACITY_TABLE_KEY,
  indexProjectedAttributes,
  JOBS_TABLE_KEY,
  KEY_ATTRIBUTES,
  STATUS_INDEX,
  SUBMITTED_INDEX,
  TTL_ATTRIBUTE,
} from "../../jobs/store";

export interface JobsTableArgs {
  /**
   * Let DynamoDB delete finished jobs at their `expiresAt` (TTL).
   * @default true
   * @example false // keep every history
   */
  readonly expireFinishedJobs?: boolean;
  /**
   * DynamoDB deletion protection and Pulumi `protect`.
   * @default false
   * @example true // prod
   */
  readonly deletionProtection?: boolean;
}

export class JobsTable extends pulumi.ComponentResource {
  /** The DynamoDB table. */
  readonly table: aws.dynamodb.Table;
  /** Its name (handlers: JOBS_TABLE). */
  readonly tableName: pulumi.Output<string>;
  /** Its ARN; index ARNs are `<arn>/index/<name>`. */
  readonly tableArn: pulumi.Output<string>;
  /** Its change stream (new and old images): the outbox the outcome publisher reads. */
  readonly streamArn: pulumi.Output<string>;
  /** The capacity table beside it: running-task slots and the launch rate (handlers: CAPACITY_TABLE). */
  readonly capacityTable: aws.dynamodb.Table;
  readonly capacityTableName: pulumi.Output<string>;
  readonly capacityTableArn: pulumi.Output<string>;

  constructor(name: string, args: JobsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:storage:JobsTable", name, {}, opts);
    const { expireFinishedJobs = true, deletionProtection = false } = args;

    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: JOBS_TABLE_KEY,
        attributes: KEY_ATTRIBUTES.map((attribute) => ({ name: attribute, type: "S" })),
        globalSecondaryIndexes: [STATUS_INDEX, SUBMITTED_INDEX].map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.hashKey, keyType: "HASH" },
            { attributeName: index.rangeKey, keyType: "RANGE" },
          ],
          // The folded state, not the growing event list: listings need only the state, and an index
          // write costs by the size of what it projects.
          projectionType: "INCLUDE",
          nonKeyAttributes: indexProjectedAttributes(index),
        })),
        pointInTimeRecovery: { enabled: true },
        // A KMS key managed by AWS for DynamoDB (aws/dynamodb): encrypted at rest with key use in
        // CloudTrail, and no key policy for the handlers to need.
        serverSideEncryption: { enabled: true },
        ttl: { attributeName: TTL_ATTRIBUTE, enabled: expireFinishedJobs },
        deletionProtectionEnabled: deletionProtection,
        // Every write, with the item before and after it: the events it appended are published from it.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
      },
      { parent: this, protect: deletionProtection },
    );
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.streamArn = this.table.streamArn;

    // A few hot counters, apart from the jobs (no stream, no TTL): what they hold is rebuilt by the sweeper
    // from the jobs themselves, so no protection is needed. Point-in-time recovery is priced by the table's
    // size, a few KB here: on, as on every table of the stack (the policy pack's rule).
    this.capacityTable = new aws.dynamodb.Table(
      `${name}-capacity`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: CAPACITY_TABLE_KEY,
        attributes: [{ name: CAPACITY_TABLE_KEY, type: "S" }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true },
      },
      { parent: this },
    );
    this.capacityTableName = this.capacityTable.name;
    this.capacityTableArn = this.capacityTable.arn;

    this.registerOutputs({
      tableName: this.tableName,
      tableArn: this.tableArn,
      streamArn: this.streamArn,
      capacityTableName: this.capacityTableName,
      capacityTableArn: this.capacityTableArn,
    });
  }
}
