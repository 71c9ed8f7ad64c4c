// Readers of the handlers' environment variables: each turns the text a variable holds into its value, or
// refuses it with a message naming the variable. config/schema.ts (a setting's variable) and
// config/handler-variables.ts (a resource's) give each variable its reader; handlers/environment.ts parses
// a function's environment with them. Pure: zod and the job model's own readers only.

import { z } from "zod";
import { parseExitCodes, parseFargatePrices } from "../jobs/model";

/** A variable's reader, given the variable's name for its messages. */
export type VariableReader<Out = unknown> = (name: string) => z.ZodType<Out, string | undefined>;

export const text = (): VariableReader<string> => (name) => z.string({ error: `${name} is not set` });

export const required = (): VariableReader<string> => (name) => nonEmpty(name);

function nonEmpty(name: string): z.ZodString {
  return z.string({ error: `${name} is not set` }).min(1, `${name} is empty`);
}

export const wholeNumber =
  (min: number, max: number): VariableReader<number> =>
  (name) =>
    z
      .string({ error: `${name} is not set` })
      .regex(/^\d+$/, `${name} must be a whole number`)
      .transform(Number)
      .pipe(z.number().min(min, `${name} must be >= ${min}`).max(max, `${name} must be <= ${max}`));

/** Comma-separated ids (ECS RunTask takes lists; Lambda environment values are strings). */
export const idList = (): VariableReader<readonly string[]> => (name) =>
  required()(name)
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    )
    .refine((items) => items.length > 0, `${name} must list at least one id (comma-separated)`);

export const choice =
  <const V extends readonly [string, ...string[]]>(values: V, says?: string): VariableReader<V[number]> =>
  (name) =>
    z.enum(values, { error: `${name} must be ${says ?? `one of ${values.join(", ")}`}` });

export const url = (): VariableReader<string> => (name) =>
  required()(name).pipe(z.url({ error: `${name} must be a URL` }));

export const matching =
  (pattern: RegExp, mustBe: string): VariableReader<string> =>
  (name) =>
    nonEmpty(name).regex(pattern, `${name} must be ${mustBe}`);

/** Empty, or a key prefix ending with / (not starting with /). */
export const keyPrefixOrEmpty = (): VariableReader<string> => (name) =>
  text()(name).refine(
    (prefix) => prefix === "" || (prefix.endsWith("/") && !prefix.startsWith("/")),
    `${name} must be empty or a key prefix ending with / (not starting with /)`,
  );

/** Exit codes and ranges ("64-78,1"), read by the job model's own reader. */
export const exitCodeSet = (): VariableReader<ReadonlySet<number>> => (name) =>
  text()(name).transform((codes, ctx) => {
    try {
      return parseExitCodes(codes);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `${name}: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

/** A JSON array of non-empty suffixes: a suffix may hold any character, a comma among them. */
export const suffixList = (): VariableReader<readonly string[]> => (name) =>
  required()(name).transform((json, ctx) => {
    const suffixes = z.array(z.string().min(1)).min(1).safeParse(parseJson(json));
    if (suffixes.success) return suffixes.data;
    ctx.addIssue({
      code: "custom",
      message: `${name} must be a JSON array of non-empty suffixes, e.g. [".mp4",".mov"]`,
    });
    return z.NEVER;
  });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Empty (the repository's price table), or the stack's own as JSON. */
export const priceTable = (): VariableReader<ReturnType<typeof parseFargatePrices> | undefined> => (name) =>
  z
    .string({ error: `${name} is not set (empty for the repository's price table)` })
    .transform((json, ctx) => {
      if (json.trim() === "") return undefined;
      try {
        return parseFargatePrices(json);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `${name}: ${(error as Error).message}` });
        return z.NEVER;
      }
    });

/** CloudWatch's rules: a namespace of 1-255 characters of its alphabet, not AWS/.... */
export const metricsNamespace = (): VariableReader<string> => (name) =>
  nonEmpty(name)
    .max(255, `${name} must be at most 255 characters`)
    .regex(/^[A-Za-z0-9.\-_/#:]+$/, `${name} may hold letters, digits and . - _ / # : only`)
    .refine((namespace) => !namespace.startsWith("AWS/"), `${name} must not start with AWS/`);

/** A CloudWatch dimension value: 1-1024 characters. */
export const dimensionValue = (): VariableReader<string> => (name) =>
  nonEmpty(name).max(1024, `${name} must be at most 1024 characters`);
