// The stack files the infrastructure tests load the program with; reading them is config/stack-files.ts.

export * from "../../../config/stack-files";

export const STACKS = ["dev", "prod"] as const;
