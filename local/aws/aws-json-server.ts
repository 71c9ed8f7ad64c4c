// A loopback HTTP server speaking the AWS JSON protocol (the one the SDK's SQS and ECS clients use):
// POST with `X-Amz-Target: <Service>.<Operation>` and a JSON body, answered with JSON or a typed error.
// The local stand-ins (sqs.ts, ecs.ts) register operations on it; anything else is refused by name.

import { createServer, type IncomingMessage, type Server } from "node:http";
import { type LoopbackEndpoint, listenOnLoopback } from "./loopback";

export type Operation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

/** An error the SDK client will surface as a typed exception (`name` is the AWS error code). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** Fields of the error's body beside its type and message (ECS's ConflictException: `resourceIds`). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export type AwsJsonServer = LoopbackEndpoint;

export async function startAwsJsonServer(options: {
  /** Error codes are namespaced like AWS's, e.g. "com.amazonaws.sqs". */
  readonly errorNamespace: string;
  readonly operations: Readonly<Record<string, Operation>>;
  readonly port?: number;
}): Promise<AwsJsonServer> {
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: unknown, errorType?: string) => {
      const json = JSON.stringify(body ?? {});
      response.writeHead(status, {
        "content-type": "application/x-amz-json-1.0",
        "content-length": Buffer.byteLength(json),
        ...(errorType ? { "x-amzn-errortype": errorType } : {}),
      });
      response.end(json);
    };
    handle(request, options.operations)
      .then((output) => reply(200, output))
      .catch((error: unknown) => {
        const aws = error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500);
        reply(
          aws.statusCode,
          { ...aws.fields, __type: `${options.errorNamespace}#${aws.code}`, message: aws.message },
          aws.code,
        );
      });
  });
  return listenOnLoopback(server, options.port);
}

async function handle(
  request: IncomingMessage,
  operations: Readonly<Record<string, Operation>>,
): Promise<unknown> {
  const target = String(request.headers["x-amz-target"] ?? "");
  const name = target.slice(target.lastIndexOf(".") + 1);
  const operation = operations[name];
  if (request.method !== "POST" || operation === undefined) {
    throw new AwsError(
      "UnknownOperationException",
      `operation "${target}" is not supported by this local stand-in`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  let input: unknown;
  try {
    input = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new AwsError("SerializationException", "request body is not JSON");
  }
  if (typeof input !== "object" || input === null)
    throw new AwsError("SerializationException", "request body is not an object");
  return operation(input as Record<string, unknown>);
}
