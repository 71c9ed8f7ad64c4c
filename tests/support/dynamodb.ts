// A real local DynamoDB (dynalite, in memory) on a free loopback port, with the jobs table created, for
// tests of the store, the handlers and the CLI.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createCapacityTable, createJobsTable } from "../../jobs/adapters/aws/create-jobs-table";
import { startDynamoDb } from "../../local/aws/dynamodb";

export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Creates a fresh jobs table with a unique name, and its capacity table (capacityTableOf), and returns the name. */
  createTable(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The capacity table created beside a jobs table (handler-env.ts points the handlers at it). */
export function capacityTableOf(jobsTable: string): string {
  return `${jobsTable}-capacity`;
}

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = await startDynamoDb();
  const endpoint = server.endpoint;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS });
  let tables = 0;
  return {
    endpoint,
    client,
    async createTable(prefix = "jobs") {
      const name = `${prefix}-${++tables}`;
      await createJobsTable(client, name);
      await createCapacityTable(client, capacityTableOf(name));
      return name;
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
