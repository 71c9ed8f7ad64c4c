// The handler modules deployed as Lambdas, relative to the repository root; each exports `handler`.
// The sweeper (handlers/sweeper.ts, DESIGN §6) joins them once its code exists: a third
// HandlerFunction on an EventBridge schedule, with the same environment and its own permissions
// (ecs:ListTasks/DescribeTasks/StopTask on this cluster).

export const HANDLER_ENTRY_POINTS = {
  dispatcher: "handlers/dispatcher.ts",
  taskState: "handlers/task-state.ts",
  publisher: "handlers/publisher.ts",
} as const;
