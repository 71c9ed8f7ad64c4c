// The handlers' environment contract, each variable written once: the settings' variables (config/schema.ts,
// each beside its setting) and the variables the program fills from the resources it creates (below).
// From these: which variables each Lambda is given (only those its handler reads), their values from the
// stack's settings (components/, local mode), and the readers the handlers parse them with
// (handlers/environment.ts). docs/settings.md is generated from the same entries.

import type { z } from "zod";
import { ALL, HANDLER_FUNCTIONS, type HandlerFunctionName, LAUNCHERS, PUBLISHER } from "./handler-functions";
import { CONFIG_KEYS, CONFIG_SCHEMA, type ConfigKey, type ConfigValues } from "./schema";
import {
  choice,
  dimensionValue,
  idList,
  matching,
  metricsNamespace,
  required,
  url,
  type VariableReader,
} from "./variable-readers";

export interface ResourceVariable {
  readonly description: string;
  readonly functions: readonly HandlerFunctionName[];
  readonly read?: VariableReader;
  readonly readBy?: string;
}

/** The variables whose values are the resources' names and addresses, set by the program (and local mode). */
export const RESOURCE_VARIABLES = {
  JOBS_TABLE: { description: "The jobs table.", functions: LAUNCHERS, read: required() },
  CAPACITY_TABLE: {
    description: "The capacity table: running-task slots and the launch rate's tokens.",
    functions: LAUNCHERS,
    read: required(),
  },
  JOBS_QUEUE_URL: {
    description: "The jobs queue: retries are sent to it.",
    functions: LAUNCHERS,
    read: url(),
  },
  CLUSTER_ARN: {
    description: "The worker cluster.",
    functions: LAUNCHERS,
    read: matching(/^arn:[^:]+:ecs:/, "an ECS cluster ARN"),
  },
  TASK_DEFINITION_ARN: {
    description: "The worker task definition, with its revision.",
    functions: LAUNCHERS,
    read: matching(/^arn:[^:]+:ecs:.+:task-definition\/.+:\d+$/, "a task definition ARN with its revision"),
  },
  WORKER_CONTAINER_NAME: {
    description: "The worker's container in the task definition (its overrides, its exit code).",
    functions: LAUNCHERS,
    read: required(),
  },
  SUBNET_IDS: {
    description: "Subnets of the worker tasks, comma-separated.",
    functions: LAUNCHERS,
    read: idList(),
  },
  SECURITY_GROUP_IDS: {
    description: "Security groups of the worker tasks, comma-separated.",
    functions: LAUNCHERS,
    read: idList(),
  },
  ASSIGN_PUBLIC_IP: {
    description: "ENABLED on the default VPC, else DISABLED.",
    functions: LAUNCHERS,
    read: choice(["ENABLED", "DISABLED"], "ENABLED or DISABLED"),
  },
  OUTPUT_BUCKET: {
    description: "The uploads bucket, where the workers write their outputs.",
    functions: ALL,
    read: required(),
  },
  JOBS_EVENT_BUS_NAME: {
    description: "The jobs bus the outcome publisher puts Job State Change events on.",
    functions: PUBLISHER,
    read: required(),
  },
  OUTCOMES_DEAD_LETTER_QUEUE_URL: {
    description: "Where the outcome publisher sets aside stream records it cannot read.",
    functions: PUBLISHER,
    read: url(),
  },
  METRICS_NAMESPACE: {
    description: "CloudWatch namespace of the jobs' metrics.",
    functions: LAUNCHERS,
    read: metricsNamespace(),
  },
  METRICS_SERVICE: {
    description: "The metrics' `service` dimension: the pipeline (stack), whichever handler wrote them.",
    functions: LAUNCHERS,
    read: dimensionValue(),
  },
  POWERTOOLS_SERVICE_NAME: {
    description: "The logger's service: the pipeline and the handler.",
    functions: ALL,
    readBy: "Powertools' logger",
  },
} as const satisfies Record<string, ResourceVariable>;

export type ResourceVariableName = keyof typeof RESOURCE_VARIABLES;

type SettingSpecs = typeof CONFIG_SCHEMA;
export type SettingWithVariable = {
  [K in ConfigKey]: SettingSpecs[K] extends { variable: object } ? K : never;
}[ConfigKey];
type VariableOfSetting<K extends SettingWithVariable> = SettingSpecs[K] extends {
  variable: { name: infer N extends string };
}
  ? N
  : never;

/** The variables the settings give `F`. */
export type SettingVariableName<F extends HandlerFunctionName = HandlerFunctionName> = {
  [K in SettingWithVariable]: SettingSpecs[K] extends {
    variable: { functions: readonly (infer Given)[] };
  }
    ? F extends Given
      ? VariableOfSetting<K>
      : never
    : never;
}[SettingWithVariable];

/** The variables the resources give `F`. */
export type ResourceVariableOf<F extends HandlerFunctionName = HandlerFunctionName> = {
  [K in ResourceVariableName]: F extends (typeof RESOURCE_VARIABLES)[K]["functions"][number] ? K : never;
}[ResourceVariableName];

export type HandlerVariableName<F extends HandlerFunctionName = HandlerFunctionName> =
  | SettingVariableName<F>
  | ResourceVariableOf<F>;

/** One variable, whichever kind: what the handlers' parser, the components and the docs need of it. */
export interface HandlerVariable {
  readonly name: HandlerVariableName;
  readonly description: string;
  readonly functions: readonly HandlerFunctionName[];
  readonly read?: VariableReader;
  readonly readBy?: string;
  /** The setting it carries, when it carries one. */
  readonly setting?: ConfigKey;
  readonly scale?: number;
}

/** Every handler variable: the settings' first (in the settings' order), then the resources'. */
export const HANDLER_VARIABLES: readonly HandlerVariable[] = [
  ...CONFIG_KEYS.flatMap((key): HandlerVariable[] => {
    const spec: { readonly description: string; readonly variable?: HandlerVariableSpec } =
      CONFIG_SCHEMA[key];
    const variable = spec.variable;
    if (variable === undefined) return [];
    return [
      {
        ...variable,
        name: variable.name as HandlerVariableName,
        description: spec.description,
        setting: key,
      },
    ];
  }),
  ...Object.entries(RESOURCE_VARIABLES).map(
    ([name, variable]): HandlerVariable => ({ ...variable, name: name as ResourceVariableName }),
  ),
];

interface HandlerVariableSpec {
  readonly name: string;
  readonly functions: readonly HandlerFunctionName[];
  readonly read?: VariableReader;
  readonly readBy?: string;
  readonly scale?: number;
}

/** The variables `fn` is given, in HANDLER_VARIABLES' order. */
export function variablesOf<F extends HandlerFunctionName>(fn: F): HandlerVariableName<F>[] {
  return HANDLER_VARIABLES.filter((variable) => variable.functions.includes(fn)).map(
    (variable) => variable.name as HandlerVariableName<F>,
  );
}

/** The variables `fn`'s handler parses itself (all it is given but those a library reads). */
export function parsedVariablesOf(fn: HandlerFunctionName): HandlerVariableName[] {
  return HANDLER_VARIABLES.filter((v) => v.functions.includes(fn) && v.read !== undefined).map((v) => v.name);
}

/** The values of the settings the handler variables carry (config/parse.ts handlerSettings). */
export type HandlerSettings = { readonly [K in SettingWithVariable]: ConfigValues[K] };

/** The variables of `fn` that carry settings, with their values (handlerSettings of the stack's config). */
export function settingsEnvironment<F extends HandlerFunctionName>(
  fn: F,
  settings: HandlerSettings,
): { readonly [K in SettingVariableName<F>]: string } {
  const entries = HANDLER_VARIABLES.filter(
    (variable) => variable.setting !== undefined && variable.functions.includes(fn),
  ).map((variable) => [
    variable.name,
    textOf(settings[variable.setting as SettingWithVariable], variable.scale),
  ]);
  // One entry per SettingVariableName<F> (the filter above is the type's own condition), stated once here.
  return Object.fromEntries(entries) as { readonly [K in SettingVariableName<F>]: string };
}

/** A value as a variable holds it: numbers in its unit, text as it is. */
function textOf(value: ConfigValues[ConfigKey], scale = 1): string {
  if (typeof value === "number") return String(value * scale);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The handlers' readers, variable by variable (handlers/environment.ts builds its parser from these). */
export function readerOf(name: HandlerVariableName): z.ZodType<unknown, string | undefined> {
  const variable = HANDLER_VARIABLES.find((v) => v.name === name);
  if (variable?.read === undefined) throw new Error(`${name} is not read by the handlers' parser`);
  return variable.read(name);
}

/** Every setting's variable, whichever function reads it: one process running every handler (local mode). */
export function everySettingEnvironment(settings: HandlerSettings): {
  readonly [K in SettingVariableName]: string;
} {
  return Object.assign({}, ...HANDLER_FUNCTIONS.map((fn) => settingsEnvironment(fn, settings))) as {
    readonly [K in SettingVariableName]: string;
  };
}
