// The LaunchRate on DynamoDB: GCRA (../../capacity/launch-rate.ts) over one item of the capacity table, shared by every
// launcher. Its one number, `tat`, moves by conditional updates that need no read first:
// - the bucket is busy (TAT ahead of now, but not too far): TAT += interval, returned — one atomic step;
// - it is idle (TAT behind now, or never set): TAT = now + interval.
// A race between the two (the bucket went idle or busy meanwhile) tries again; the new TAT gives the time.

import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { gcraParameters, type LaunchRate, type LaunchRateLimits } from "../../capacity/launch-rate";
import { CAPACITY_TABLE_KEY, LAUNCH_RATE_ITEM } from "../../store/table-schema";

const MAX_RACES = 10;

export class DynamoDbLaunchRate implements LaunchRate {
  private readonly documents: DynamoDBDocumentClient;
  private readonly key = { [CAPACITY_TABLE_KEY]: LAUNCH_RATE_ITEM };

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly limits: LaunchRateLimits,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async reserve(nowMs: number, maxWaitMs: number): Promise<number | undefined> {
    const { intervalMs, toleranceMs } = gcraParameters(this.limits);
    for (let race = 0; race < MAX_RACES; race++) {
      const busy = await this.update("SET tat = tat + :interval", "tat > :now AND tat <= :latest", {
        ":interval": intervalMs,
        ":now": nowMs,
        ":latest": nowMs + toleranceMs + maxWaitMs,
      });
      if (busy !== undefined) return Math.max(nowMs, busy - intervalMs - toleranceMs);
      const idle = await this.update("SET tat = :next", "attribute_not_exists(tat) OR tat <= :now", {
        ":next": nowMs + intervalMs,
        ":now": nowMs,
      });
      if (idle !== undefined) return nowMs;
      const tat = await this.currentTat();
      if (tat !== undefined && tat > nowMs + toleranceMs + maxWaitMs) return undefined; // too far ahead
    }
    throw new Error(`launch rate: ${MAX_RACES} reservations in a row lost a race on ${this.tableName}`);
  }

  async slowDown(untilMs: number): Promise<void> {
    const paced = untilMs + gcraParameters(this.limits).toleranceMs;
    await this.update("SET tat = :paced", "attribute_not_exists(tat) OR tat < :paced", { ":paced": paced });
  }

  /** One conditional update; the new TAT, or undefined when the condition did not hold. */
  private async update(
    expression: string,
    condition: string,
    values: Record<string, number>,
  ): Promise<number | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return Number(Attributes?.tat);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async currentTat(): Promise<number | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    return Item?.tat === undefined ? undefined : Number(Item.tat);
  }
}
