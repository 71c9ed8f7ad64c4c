// The worker's published params schema: what JOB_PARAMS (or --params) may hold. Schema only, importing
// nothing but zod, so that the dispatcher and the jobs CLI can check a job's params before anything is
// launched without pulling in the worker itself (`paramsProblems`). The JSON Schema generated from it is
// committed as worker/params.schema.json (npx tsx worker/write-schemas.ts; a test keeps it current), and the
// worker's --help lists the parameters from it.

import { z } from "zod";

/** Unknown keys are rejected, so a misspelt parameter is not silently ignored. */
export const AnalysisParamsSchema = z
  .strictObject({
    sceneThreshold: z.number().gt(0).lt(1).default(0.3).meta({
      description:
        "scene-change score (0..1) above which a frame starts a new scene (ffmpeg select=gt(scene,T))",
    }),
    maxThumbnails: z
      .int()
      .min(0)
      .max(500)
      .default(50)
      .meta({ description: "at most this many scene thumbnails are written (the first scenes')" }),
    thumbnailWidth: z.int().min(32).max(1920).default(320).meta({
      description: "width of the thumbnails and of the frames analysed, in pixels (never upscaled)",
    }),
    contactSheetColumns: z
      .int()
      .min(1)
      .max(10)
      .default(4)
      .meta({ description: "contact sheet grid columns (frames evenly spaced in time)" }),
    contactSheetRows: z.int().min(1).max(10).default(4).meta({ description: "contact sheet grid rows" }),
    blackMinSeconds: z
      .number()
      .gt(0)
      .max(3600)
      .default(1)
      .meta({ description: "black segments: at least this long, in seconds" }),
    blackPixelThreshold: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.1)
      .meta({ description: "black segments: pixels darker than this (0..1 of the range) count as black" }),
    freezeMinSeconds: z
      .number()
      .gt(0)
      .max(3600)
      .default(2)
      .meta({ description: "frozen segments: at least this long, in seconds" }),
    freezeNoiseDb: z
      .number()
      .min(-100)
      .max(0)
      .default(-60)
      .meta({ description: "frozen segments: frame difference below this, in dB" }),
    silenceMinSeconds: z
      .number()
      .gt(0)
      .max(3600)
      .default(2)
      .meta({ description: "silent segments of the first audio stream: at least this long, in seconds" }),
    silenceNoiseDb: z
      .number()
      .min(-100)
      .max(0)
      .default(-50)
      .meta({ description: "silent segments: audio below this level, in dB" }),
  })
  .meta({
    title: "video-jobs worker params",
    description: "JOB_PARAMS of the reference worker: a JSON object; every key is optional",
  });

export type AnalysisParams = z.infer<typeof AnalysisParamsSchema>;

/** The accepted parameter names, in the schema's order. */
export const PARAM_NAMES: readonly string[] = Object.keys(AnalysisParamsSchema.shape);

/** One thing wrong with a params object: the key at fault (absent when the whole value is wrong). */
export interface ParamsProblem {
  readonly key?: string;
  readonly message: string;
}

/**
 * Everything wrong with `value` as the worker's params (already parsed from JSON), each naming its key;
 * empty when the worker would accept it. For the dispatcher and the CLI: the worker applies the same rule.
 */
export function paramsProblems(value: unknown): ParamsProblem[] {
  const parsed = AnalysisParamsSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue): ParamsProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ key, message: `unknown parameter "${key}"` }));
    }
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : undefined;
    return [{ ...(key === undefined ? {} : { key }), message: issue.message }];
  });
}

/** One line per parameter (name, type and bounds, default, meaning), for --help and error hints. */
export function describeParams(): string[] {
  const schema = paramsJsonSchema() as { properties: Record<string, JsonProperty> };
  return Object.entries(schema.properties).map(([name, property]) => {
    const bounds = [
      property.exclusiveMinimum !== undefined ? `> ${property.exclusiveMinimum}` : undefined,
      property.minimum !== undefined ? `>= ${property.minimum}` : undefined,
      property.exclusiveMaximum !== undefined ? `< ${property.exclusiveMaximum}` : undefined,
      property.maximum !== undefined ? `<= ${property.maximum}` : undefined,
    ].filter((bound) => bound !== undefined);
    const type = `${property.type}${bounds.length > 0 ? ` ${bounds.join(", ")}` : ""}`;
    return `${name} (${type}; default ${JSON.stringify(property.default)}): ${property.description ?? ""}`;
  });
}

interface JsonProperty {
  readonly type?: string;
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

export function paramsJsonSchema(): unknown {
  // "input": what a caller may send (every key optional, with its default), unknown keys refused.
  return z.toJSONSchema(AnalysisParamsSchema, { io: "input" });
}
