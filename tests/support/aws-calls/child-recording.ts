// The AWS calls of processes local mode starts (its handlers' host), recorded by record-in-child.cjs
// through NODE_OPTIONS: the option to set before local mode starts, and the calls read back by handler,
// each with the environment of the process that made it.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { AwsCall } from "./recorder";

const LINE = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("process"),
    pid: z.number(),
    script: z.string(),
    environment: z.record(z.string(), z.string()),
  }),
  z.object({
    kind: z.literal("call"),
    pid: z.number(),
    handler: z.string(),
    client: z.string(),
    command: z.string(),
    input: z.unknown(),
  }),
]);

export interface ChildCalls {
  readonly handler: string;
  readonly calls: AwsCall[];
  /** The environment of the process that made them. */
  readonly environment: Readonly<Record<string, string>>;
}

export interface ChildRecording {
  /** To add to NODE_OPTIONS of the processes to record. */
  readonly nodeOption: string;
  /** The calls recorded so far, by handler (and process). */
  read(): ChildCalls[];
}

export function childRecording(directory: string): ChildRecording {
  const file = path.join(directory, "aws-calls.jsonl");
  const preload = path.join(directory, "record-aws-calls.cjs");
  const recorder = path.join(__dirname, "record-in-child.cjs");
  writeFileSync(preload, `require(${JSON.stringify(recorder)}).start(${JSON.stringify(file)});\n`);
  return {
    nodeOption: `--require ${preload}`,
    read() {
      if (!existsSync(file)) return [];
      const lines = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => LINE.parse(JSON.parse(line)));
      const environments = new Map<number, Record<string, string>>();
      const groups = new Map<string, ChildCalls>();
      for (const line of lines) {
        if (line.kind === "process") {
          environments.set(line.pid, line.environment);
          continue;
        }
        const key = `${line.pid} ${line.handler}`;
        let group = groups.get(key);
        if (group === undefined) {
          group = { handler: line.handler, calls: [], environment: environments.get(line.pid) ?? {} };
          groups.set(key, group);
        }
        group.calls.push({ client: line.client, command: line.command, input: line.input });
      }
      return [...groups.values()];
    },
  };
}
