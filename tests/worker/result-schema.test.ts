// result.json's schema is published as worker/result.schema.json: it must match the code that writes it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resultJsonSchema } from "../../worker/src/result";
import { RESULT_SCHEMA_FILE } from "../../worker/write-result-schema";

describe("the published result schema", () => {
  it("is current (regenerate with: npx tsx worker/write-result-schema.ts)", () => {
    expect(JSON.parse(readFileSync(RESULT_SCHEMA_FILE, "utf8"))).toEqual(resultJsonSchema());
  });
});
