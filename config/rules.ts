// Rules of single configuration keys, as zod schemas over the key's typed value; config/schema.ts gives
// each key its rule. Each message completes "<project>:<key>: ...".

import { z } from "zod";
import { parseExitCodes, parseFargatePrices } from "../jobs/model";

export const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;

export function between(min: number, max: number): z.ZodType<number, number> {
  const message = `must be between ${min} and ${max}`;
  return z.number().min(min, message).max(max, message);
}

export function oneOf<const V extends readonly [string, ...string[]]>(
  values: V,
): z.ZodType<V[number], string> {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

export function oneOfNumbers(values: readonly number[]): z.ZodType<number, number> {
  return z.number().refine((value) => values.includes(value), `must be one of ${values.join(", ")}`);
}

export function keyPrefix(): z.ZodType<string, string> {
  return z
    .string()
    .regex(
      /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/,
      "must be a non-empty key prefix ending in '/'",
    );
}

export function suffixes(): z.ZodType<readonly string[], readonly string[]> {
  return (
    z
      .array(z.string())
      .readonly()
      .refine(
        (list) => list.length > 0 && list.every((suffix) => suffix.length > 0),
        "must list at least one non-empty suffix",
      )
      // The bucket notifies every key under inputPrefix (one rule, no suffix filter: S3's is case-sensitive)
      // and the dispatcher matches the suffixes in any case, so one ending another in any case is a mistake.
      .superRefine((list, ctx) => {
        for (const [i, specific] of list.entries()) {
          for (const [j, general] of list.entries()) {
            if (i !== j && specific.toLowerCase().endsWith(general.toLowerCase())) {
              ctx.addIssue({
                code: "custom",
                message: `must not repeat or end one another in any case (the dispatcher matches them in any case: ${JSON.stringify(general)} already takes what ${JSON.stringify(specific)} takes)`,
              });
              return;
            }
          }
        }
      })
  );
}

export function imageByDigestOrEmpty(): z.ZodType<string, string> {
  return z
    .string()
    .refine(
      (image) => image === "" || IMAGE_BY_DIGEST.test(image),
      "must be empty (build worker/) or an image pinned by digest: <repository>@sha256:<64 hex>",
    );
}

/** The handlers' own reader of the setting decides what is valid: a stack cannot deploy what they refuse. */
export function exitCodes(): z.ZodType<string, string> {
  return z.string().superRefine((codes, ctx) => {
    try {
      parseExitCodes(codes);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `must be exit codes 1-255 or ranges like 64-78, comma-separated: ${error instanceof Error ? error.message : String(error)}`,
        input: codes,
      });
    }
  });
}

/** Empty: the repository's price table; else the stack's own prices as JSON, checked as the handlers read it. */
export function fargatePrices(): z.ZodType<string, string> {
  return z.string().superRefine((json, ctx) => {
    if (json.trim() === "") return;
    try {
      parseFargatePrices(json);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `must be empty or a price table: ${(error as Error).message}`,
      });
    }
  });
}

/** Empty, or one address that looks like an email (SNS confirms it by mail before anything is sent). */
export function emailOrEmpty(): z.ZodType<string, string> {
  return z
    .string()
    .refine(
      (email) => email === "" || /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email),
      "must be empty (no subscription) or one email address, e.g. ops@example.com",
    );
}

// Rules that relate settings, one definition each: the stack's parser (config/parse.ts) and the handlers'
// (handlers/environment.ts) both apply them, each naming the keys it reads.

/** The retry delay cap is not below the first delay. */
export function retryDelaysInOrder(baseSeconds: number, maxSeconds: number): boolean {
  return maxSeconds >= baseSeconds;
}

/** An out-of-memory retry may grow an attempt to at least the worker's own memory. */
export function maxMemoryCoversWorker(maxMemoryMb: number, workerMemoryMb: number): boolean {
  return maxMemoryMb >= workerMemoryMb;
}
