// `jobs outputs <jobId> [--download DIR] [--force]`: what the worker wrote for the job, listed from its
// output prefix (S3 ListObjectsV2: result.json, thumbnails, contact sheet), and downloaded on request.
// In local mode this is the way to the results: s3rver keeps objects as `._S3rver_object` files under
// .local/s3, not under their names.

import type { Command } from "commander";
import { CONFIG_SCHEMA } from "../../config/schema";
import { COMMAND } from "../command-name";
import { exitCodes, JOB_ID_ARGUMENT, type Registration } from "../command-options";
import { required } from "../config";
import type { CommandContext } from "../context";
import { formatTime, renderTable, shortenPath, tableWidth } from "../format";
import { lookUpJob } from "../job-lookup";
import { downloadOutputs, listOutputs, type OutputObject, outputLocation } from "../outputs";

export interface OutputsOptions {
  readonly download?: string;
  readonly force?: boolean;
}

export async function outputsCommand(
  ctx: CommandContext,
  given: string,
  options: OutputsOptions,
): Promise<number> {
  required(ctx.config, "bucket");
  const { state } = await lookUpJob(ctx, given);
  const location = outputLocation(ctx.config, state.jobId);
  if (location === undefined) throw new Error("unreachable: the bucket is configured");
  const objects = await listOutputs(ctx.aws.s3(), location);
  const downloaded =
    options.download === undefined || objects.length === 0
      ? []
      : await downloadOutputs(ctx.aws.s3(), location, objects, options.download, options.force === true);

  if (ctx.json) {
    ctx.emit({
      jobId: state.jobId,
      status: state.status,
      location,
      objects,
      ...(options.download === undefined ? {} : { downloaded: downloaded.map((d) => d.path) }),
    });
    return 0;
  }
  ctx.say(`${location.url}  (job ${state.jobId}, ${ctx.paint.status(state.status)})`);
  if (objects.length === 0) {
    ctx.say(
      state.status === "SUCCEEDED"
        ? "no objects: the outputs were deleted, or the worker wrote elsewhere (check JOBS_OUTPUT_PREFIX)"
        : `no outputs (yet): the worker writes them when it succeeds; see ${ctx.command("show", state.jobId)}`,
    );
    return 0;
  }
  ctx.say(renderTable(objects, objectColumns(), ctx.paint, { width: tableWidth(ctx.io.stdout, ctx.wide) }));
  if (!objects.some((o) => o.kind === "result")) {
    ctx.say(
      ctx.paint.paint("yellow", "no result.json: the worker did not finish writing (it writes it last)"),
    );
  }
  if (options.download !== undefined) {
    ctx.say(
      `downloaded ${downloaded.length} file${downloaded.length === 1 ? "" : "s"} to ${options.download}`,
    );
  } else {
    ctx.say(
      ctx.paint.paint(
        "dim",
        `download them: ${ctx.command("outputs", state.jobId, "--download", state.jobId)}`,
      ),
    );
  }
  return 0;
}

function objectColumns() {
  return [
    { header: "NAME", value: (o: OutputObject) => o.name, shrink: shortenPath, min: 16 },
    { header: "KIND", value: (o: OutputObject) => o.kind },
    { header: "SIZE", value: (o: OutputObject) => formatBytes(o.size), align: "right" as const },
    { header: "MODIFIED", value: (o: OutputObject) => formatTime(o.lastModified) },
  ];
}

/** 950 B, 12.3 KiB, 4.0 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Declares `outputs` on the program: its arguments, options, help and action. */
export function registerOutputsCommand(program: Command, { run }: Registration): void {
  program
    .command("outputs")
    .description(
      "what the worker wrote for a job (result.json, thumbnails, contact sheet); --download fetches them",
    )
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--download <dir>", "download every object into this directory (created if needed)")
    .option("--force", "with --download: overwrite files that exist (without it, nothing is overwritten)")
    .addHelpText(
      "after",
      `\nThe outputs are under s3://<bucket>/<JOBS_OUTPUT_PREFIX><job id>/ (default prefix ${CONFIG_SCHEMA.outputPrefix.default}).\nIn local mode this is how to get them: the local S3 keeps objects as ._S3rver_object files.\n${exitCodes()}\n\nExamples:\n  ${COMMAND} outputs s3-3f9a\n  ${COMMAND} --local outputs s3-3f9a --download ./results`,
    )
    .action((jobId: string, opts, command: Command) =>
      run(command, (ctx) => outputsCommand(ctx, jobId, opts)),
    );
}
