// The handler modules deployed as Lambdas, relative to the repository root; each exports `handler`.

export const HANDLER_ENTRY_POINTS = {
  dispatcher: "handlers/dispatcher.ts",
  taskState: "handlers/task-state.ts",
  sweeper: "handlers/sweeper.ts",
  publisher: "handlers/publisher.ts",
} as const;
