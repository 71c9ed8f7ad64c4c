// Creates the jobs table (on-demand, both indexes) and the capacity table with the layouts of
// ../../store/table-schema.ts, for local mode and the tests' local DynamoDB. Deployed stacks get the same tables
// from the Pulumi component.

import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  CAPACITY_TABLE_KEY,
  indexProjectedAttributes,
  JOBS_TABLE_KEY,
  KEY_ATTRIBUTES,
  STATUS_INDEX,
  SUBMITTED_INDEX,
} from "../../store/table-schema";

/** Creates the table unless it exists; resolves once it is ACTIVE. */
export async function createJobsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: KEY_ATTRIBUTES.map((name) => ({ AttributeName: name, AttributeType: "S" })),
        KeySchema: [{ AttributeName: JOBS_TABLE_KEY, KeyType: "HASH" }],
        GlobalSecondaryIndexes: [STATUS_INDEX, SUBMITTED_INDEX].map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.hashKey, KeyType: "HASH" },
            { AttributeName: index.rangeKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: indexProjectedAttributes(index) },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
}

/** Creates the capacity table (running-task slots, the launch rate) unless it exists. */
export async function createCapacityTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: CAPACITY_TABLE_KEY, AttributeType: "S" }],
        KeySchema: [{ AttributeName: CAPACITY_TABLE_KEY, KeyType: "HASH" }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
}
