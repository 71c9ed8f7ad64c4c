// The AWS clients and the job store of one CLI run, made on first use from the resolved configuration:
// region and endpoints as configured (so local mode's endpoints work), the SDK's default credential chain
// unless credentials were given explicitly.

import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDbJobStore } from "../jobs/adapters/aws/dynamodb-store";
import type { JobStore } from "../jobs/store";
import { type CliConfig, required, type Service } from "./config";
import { recordFailedService } from "./errors";

export interface AwsConnections {
  store(): JobStore;
  sqs(): SQSClient;
  ecs(): ECSClient;
  s3(): S3Client;
  logs(): CloudWatchLogsClient;
  /** Closes the clients' sockets so the process can exit at once. */
  close(): void;
}

export function connect(config: CliConfig): AwsConnections {
  const made: Array<{ destroy(): void }> = [];
  const options = (service: Service) => {
    const endpoint = config.endpoints[service];
    return {
      ...(config.region === undefined ? {} : { region: config.region.value }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    };
  };
  const once = <T extends Tracked & { destroy(): void }>(service: Service, make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (client === undefined) {
        client = recordFailures(make(), service);
        made.push(client);
      }
      return client;
    };
  };
  const dynamodb = once("dynamodb", () => new DynamoDBClient(options("dynamodb")));
  let store: JobStore | undefined;
  return {
    store() {
      store ??= new DynamoDbJobStore(dynamodb(), {
        tableName: required(config, "table").value,
        retentionDays: config.retentionDays,
      });
      return store;
    },
    sqs: once("sqs", () => new SQSClient(options("sqs"))),
    ecs: once("ecs", () => new ECSClient(options("ecs"))),
    // Local S3 stand-ins serve buckets by path, not by virtual host, and s3rver would store a streamed
    // upload's aws-chunked framing (the SDK's default) as part of the object.
    s3: once("s3", () =>
      config.endpoints.s3 === undefined
        ? new S3Client(options("s3"))
        : new S3Client({
            ...options("s3"),
            forcePathStyle: true,
            requestChecksumCalculation: "WHEN_REQUIRED",
          }),
    ),
    logs: once("logs", () => new CloudWatchLogsClient(options("logs"))),
    close() {
      for (const client of made) client.destroy();
    },
  };
}

type FailureRecorder = <Args, Result>(
  next: (args: Args) => Promise<Result>,
) => (args: Args) => Promise<Result>;

interface Tracked {
  readonly middlewareStack: {
    add(middleware: FailureRecorder, options: { step: "initialize"; name: string }): void;
  };
}

/** Every error a client's request ends with is noted as that service's (errors.ts names its endpoint). */
function recordFailures<Client extends Tracked>(client: Client, service: Service): Client {
  const recorder: FailureRecorder = (next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      recordFailedService(error, service);
      throw error;
    }
  };
  client.middlewareStack.add(recorder, { step: "initialize", name: "jobsCliFailedService" });
  return client;
}
