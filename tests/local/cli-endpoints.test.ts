// The jobs CLI against a local mode whose stand-ins are down: each error names the endpoint of the service
// the failed request went to (an upload's S3, a submit's SQS, a list's DynamoDB), not DynamoDB's for all,
// which is how a local S3 that had died was once reported.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main";
import { writeLocalEndpoints } from "../../config/local-endpoints";

let directory: string;
let endpointsFile: string;
const ports: Record<"dynamodb" | "s3" | "sqs" | "ecs", number> = { dynamodb: 0, s3: 0, sqs: 0, ecs: 0 };

/** A port nothing listens on (taken, then freed). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "cli-endpoints-"));
  for (const service of Object.keys(ports) as Array<keyof typeof ports>) ports[service] = await deadPort();
  const url = (port: number) => `http://127.0.0.1:${port}`;
  endpointsFile = path.join(directory, "endpoints.json");
  writeLocalEndpoints(endpointsFile, {
    region: "us-east-1",
    endpoints: { dynamodb: url(ports.dynamodb), s3: url(ports.s3), sqs: url(ports.sqs), ecs: url(ports.ecs) },
    tableName: "video-jobs-jobs",
    queueUrl: `${url(ports.sqs)}/000000000000/video-jobs-queue`,
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/video-jobs",
    bucket: "video-jobs-uploads",
    inputPrefix: "uploads/",
    outputPrefix: "outputs/",
  });
  await writeFile(path.join(directory, "clip.mp4"), "not really a video");
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await runCli(["--local", ...args], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env: { JOBS_LOCAL_ENDPOINTS: endpointsFile },
    cwd: directory,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return { code, stderr };
}

describe("the jobs CLI, with local mode's stand-ins down", () => {
  it("names the local S3's endpoint when an upload cannot get through", async () => {
    const { code, stderr } = await cli("submit", "clip.mp4");
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach S3 (region us-east-1, http://127.0.0.1:${ports.s3})`);
    expect(stderr).not.toContain(String(ports.dynamodb));
  });

  it("names the local SQS's endpoint when a job message cannot be sent", async () => {
    const { stderr } = await cli("submit", "s3://video-jobs-uploads/uploads/clip.mp4");
    expect(stderr).toContain(`cannot reach SQS (region us-east-1, http://127.0.0.1:${ports.sqs})`);
    expect(stderr).not.toContain(String(ports.dynamodb));
  });

  it("names the local DynamoDB's endpoint when the jobs table cannot be read", async () => {
    const { stderr } = await cli("list");
    expect(stderr).toContain(`cannot reach DynamoDB (region us-east-1, http://127.0.0.1:${ports.dynamodb})`);
    expect(stderr).toMatch(/is local mode running/);
  });
});
