// The worker's published JSON Schemas (result.json, the outcome file, JOB_PARAMS) must match the code that
// writes and reads them; and the params schema is what the worker itself applies.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AnalysisParamsSchema, paramsProblems } from "../../contracts/params-schema";
import { PUBLISHED_SCHEMAS } from "../../worker/write-schemas";

describe.each(PUBLISHED_SCHEMAS.map(([file, schema]) => ({ name: path.basename(file), file, schema })))(
  "the published $name",
  ({ file, schema }) => {
    it("is current (regenerate with: npx tsx worker/write-schemas.ts)", () => {
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(schema());
    });
  },
);

describe("the params schema", () => {
  it("accepts an empty object and fills the defaults", () => {
    expect(paramsProblems({})).toEqual([]);
    expect(AnalysisParamsSchema.parse({})).toMatchObject({ sceneThreshold: 0.3, maxThumbnails: 50 });
  });

  it("names every unknown key and every bad value", () => {
    expect(paramsProblems({ preset: "720p", maxThumbnails: 501, sceneThreshold: 0.5 })).toEqual([
      { key: "maxThumbnails", message: expect.stringContaining("Too big") },
      { key: "preset", message: 'unknown parameter "preset"' },
    ]);
    expect(paramsProblems([1])).toEqual([{ message: expect.stringContaining("expected object") }]);
  });

  it("is published closed: the JSON Schema refuses unknown keys too", () => {
    const published = PUBLISHED_SCHEMAS.find(([file]) => file.endsWith("params.schema.json"))?.[1]() as {
      additionalProperties?: unknown;
    };
    expect(published.additionalProperties).toBe(false);
  });
});
