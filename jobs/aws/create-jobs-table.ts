// Creates the jobs table with the layout of ../table-schema.ts (on-demand, both indexes), for local mode and
// the tests' local DynamoDB. Deployed stacks get the same table from the Pulumi component.

import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  indexProjectedAttributes,
  JOBS_TABLE_KEY,
  KEY_ATTRIBUTES,
  STATUS_INDEX,
  SUBMITTED_INDEX,
} from "../table-schema";

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
