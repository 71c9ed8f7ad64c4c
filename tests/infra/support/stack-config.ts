// The stack files the infrastructure tests load the program with; reading them is components/lib/stack-files.ts.

export * from "../../../components/lib/stack-files";

export const STACKS = ["dev", "prod"] as const;
