// An OutboxStore in a folder: one file per job (`<job id>.json`: the last sequence delivered and the events
// still owed), written whole to a temporary file, flushed and renamed over the old one, so a kill at any
// moment leaves the old record or the new one, never half of one. Local mode keeps its webhook outbox
// here (.local/outbox/), and `replay --outbox DIR` its cursor.

import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { jobStateChangeSchema } from "../../boundary/outcome-events";
import type { OutboxRecord, OutboxStore } from "../../workflows/outcome-delivery";

const recordSchema = z.object({
  jobId: z.string().min(1),
  deliveredThrough: z.number().int().nonnegative(),
  owed: z.array(jobStateChangeSchema),
});

const SUFFIX = ".json";
const TEMPORARY = ".writing";

export class FileOutboxStore implements OutboxStore {
  constructor(readonly directory: string) {}

  async load(): Promise<OutboxRecord[]> {
    await mkdir(this.directory, { recursive: true });
    const records: OutboxRecord[] = [];
    for (const name of (await readdir(this.directory)).sort()) {
      const file = path.join(this.directory, name);
      // A write a kill interrupted: the record it was replacing is still there.
      if (name.endsWith(TEMPORARY)) {
        await rm(file, { force: true });
        continue;
      }
      if (!name.endsWith(SUFFIX)) continue;
      records.push(parseRecord(file, await readFile(file, "utf8")));
    }
    return records;
  }

  async save(record: OutboxRecord): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const file = path.join(this.directory, `${encodeURIComponent(record.jobId)}${SUFFIX}`);
    const temporary = `${file}${TEMPORARY}`;
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  }
}

function parseRecord(file: string, text: string): OutboxRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OutboxFileError(file, (error as Error).message);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success)
    throw new OutboxFileError(file, z.prettifyError(parsed.error).replace(/\s*\n\s*/g, " "));
  return parsed.data;
}

export class OutboxFileError extends Error {
  override readonly name = "OutboxFileError";
  constructor(file: string, problem: string) {
    super(
      `the outbox file ${file} cannot be read (${problem}); move it out of the folder to go on without it: its job's events are then sent again from #1 (local mode and a replay add them again from the job's history; a receiver drops those it has, by id)`,
    );
  }
}
