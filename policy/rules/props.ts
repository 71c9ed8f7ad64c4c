// Reading resource properties as the policy engine hands them over: JSON-like values in which, during a
// preview, a value computed from another resource (an ARN, a name) is unknown, and @pulumi/policy throws
// UnknownValueError when one is read (the engine then reports the policy as "can't run during preview").
// Rules that read a value's content let that happen; rules that only ask "is it set?" use `readProp`,
// for which an unknown value is set: it will be, once the resource it comes from exists.

import { UnknownValueError } from "@pulumi/policy";

/** Resource properties: inputs (resource policies) or outputs (stack policies). */
export type Props = Readonly<Record<string, unknown>>;

// Exported by @pulumi/policy at run time, but its declaration file leaves the class out (it is typed `any`).
const UnknownValue: abstract new (...args: never[]) => Error = UnknownValueError;

/** Whether `error` is @pulumi/policy's "this value is unknown during a preview". */
export function isUnknownValueError(error: unknown): error is Error {
  return error instanceof UnknownValue;
}

/** A value that is set but not known until the update (preview only). */
export const UNKNOWN: unique symbol = Symbol("unknown until the update");

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path` under `value`, `UNKNOWN` where the engine does not know it yet, else undefined. */
export function readProp(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === UNKNOWN) return UNKNOWN;
    if (!isRecord(current)) return undefined;
    try {
      current = current[key];
    } catch (error) {
      if (isUnknownValueError(error)) return UNKNOWN;
      throw error;
    }
  }
  return current;
}

/**
 * The value at `path` under `value`, undefined where a level is missing. An unknown value is read as is,
 * so the engine reports that the policy cannot run during the preview: for rules that need the value.
 */
export function valueAt(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Whether a read value is set: present and not empty, or unknown until the update. */
export function isSet(value: unknown): boolean {
  return value === UNKNOWN || (value !== undefined && value !== null && value !== "");
}

/** IAM's and AWS's "one or many": undefined is none, an array its items, anything else one item. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}

/** The strings of a "one or many" value. */
export function stringsOf(value: unknown): string[] {
  return listOf(value).filter((item): item is string => typeof item === "string");
}

/** A JSON document given as a string (outputs, `JSON.stringify`) or as an object (typed inputs). */
export function jsonDocument(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
