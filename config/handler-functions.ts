// The Lambda functions the program deploys, by the name each handler's component and logs use: what a
// setting's or a resource's handler variable says it is given to (config/schema.ts,
// config/handler-variables.ts). Each function is given exactly the variables its handler reads.

export const HANDLER_FUNCTIONS = ["dispatcher", "task-state", "sweeper", "publisher"] as const;
export type HandlerFunctionName = (typeof HANDLER_FUNCTIONS)[number];

/** The functions that launch worker tasks: the jobs queue's consumer, the task-state handler, the sweeper. */
export const LAUNCHERS = ["dispatcher", "task-state", "sweeper"] as const;
export type LauncherFunctionName = (typeof LAUNCHERS)[number];

/** The functions that price attempts as they record a task's stop (the task-state handler, the sweeper). */
export const PRICERS = ["task-state", "sweeper"] as const;
export const SWEEPER = ["sweeper"] as const;
export const DISPATCHER = ["dispatcher"] as const;
export const PUBLISHER = ["publisher"] as const;
export const ALL = HANDLER_FUNCTIONS;
