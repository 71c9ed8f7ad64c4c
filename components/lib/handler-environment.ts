// The environment each Lambda is given: exactly the variables its handler reads (config/handler-variables.ts
// says which), the settings' from the stack's resolved settings, the resources' from the caller. The
// `FunctionEnvironment` type makes a missing name a compile error in the component that sets them.

import type { HandlerFunctionName } from "../../config/handler-functions";
import {
  HANDLER_VARIABLES,
  type HandlerSettings,
  type HandlerVariableName,
  type ResourceVariableOf,
  type SettingVariableName,
  settingsEnvironment,
  variablesOf,
} from "../../config/handler-variables";

/** Every handler variable, of any function (the settings' and the resources'). */
export const HANDLER_ENVIRONMENT_NAMES: readonly HandlerVariableName[] = HANDLER_VARIABLES.map(
  (variable) => variable.name,
);

export type HandlerEnvironmentName = HandlerVariableName;

/** A value for every name: `T` is `string` here and `pulumi.Input<string>` in the components. */
export type HandlerEnvironment<T = string> = { readonly [K in HandlerEnvironmentName]: T };

/** What function `F` is given: its settings' variables (text) and its resources' (`T`). */
export type FunctionEnvironment<F extends HandlerFunctionName, T = string> = {
  readonly [K in SettingVariableName<F>]: string;
} & { readonly [K in ResourceVariableOf<F>]: T };

/** The resources' variables of function `F`. */
export type ResourceEnvironment<F extends HandlerFunctionName, T = string> = {
  readonly [K in ResourceVariableOf<F>]: T;
};

export type AssignPublicIp = "ENABLED" | "DISABLED";

/**
 * `fn`'s environment: its settings' variables from `settings` (handlerSettings(config)), and of `resources`
 * only the variables `fn` is given (a caller may hand every launcher the same resources).
 */
export function functionEnvironment<F extends HandlerFunctionName, T>(
  fn: F,
  settings: HandlerSettings,
  resources: ResourceEnvironment<F, T>,
): FunctionEnvironment<F, T> {
  const given = new Set<string>(variablesOf(fn));
  const own = Object.fromEntries(Object.entries(resources).filter(([name]) => given.has(name)));
  // Exactly `fn`'s settings' variables and its resources' (filtered to those it is given): stated once here.
  return { ...settingsEnvironment(fn, settings), ...own } as FunctionEnvironment<F, T>;
}

/** ECS RunTask takes lists; Lambda environment values are strings. */
export function joinIds(ids: readonly string[]): string {
  return ids.join(",");
}
