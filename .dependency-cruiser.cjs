// The project's layers, checked by dependency-cruiser in `npm run lint` (README "Code map" says why each
// rule exists). Paths are relative to the repository root; tests/ is not cruised (tests may import any
// layer). tests/lint/layers.test.ts proves each rule fails on a deliberate violation.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "jobs-imports-no-entry-point",
      comment:
        "The job model is used by every entry point (handlers, CLI, local mode, the Pulumi program); it imports none of them.",
      severity: "error",
      from: { path: "^jobs/" },
      // The worker's published contracts (worker/src/*-schema.ts: zod schemas and constants, nothing else)
      // are the one part of worker/ the job model reads: what the worker writes, parsed with its own schema.
      to: {
        path: "^(handlers|cli|console|local|components|worker|config)/|^(index|config)\\.ts$",
        pathNot: "^worker/src/[a-z-]+-schema\\.ts$",
      },
    },
    {
      name: "pure-job-rules-import-no-aws-sdk",
      comment:
        "Everything in jobs/ except the adapters in jobs/aws/ is pure: decisions, folds, policies and ports, testable without AWS.",
      severity: "error",
      from: { path: "^jobs/", pathNot: "^jobs/aws/" },
      to: { path: "(^|/)node_modules/@aws-sdk/|(^|/)node_modules/@smithy/" },
    },
    {
      name: "handlers-and-worker-load-no-pulumi",
      comment:
        "Lambda bundles and the worker image must not carry the Pulumi SDK, directly or through anything they import.",
      severity: "error",
      from: { path: "^(handlers|worker)/" },
      to: { path: "(^|/)node_modules/@pulumi/", reachable: true },
    },
    {
      name: "cli-and-local-mode-load-no-pulumi",
      comment:
        "The jobs CLI and local mode run without the Pulumi SDK; they share configuration through config/, not components/.",
      severity: "error",
      from: { path: "^(cli|local)/" },
      to: { path: "(^|/)node_modules/@pulumi/", reachable: true },
    },
    {
      name: "worker-stands-alone",
      comment:
        "The worker is built into its own image from worker/ (and the root package.json for its version): it imports nothing else of this repository.",
      severity: "error",
      from: { path: "^worker/" },
      to: { pathNot: "^worker/|^package\\.json$|(^|/)node_modules/", dependencyTypesNot: ["core"] },
    },
    {
      name: "config-is-neutral",
      comment:
        "Stack configuration is shared by the Pulumi program, the CLI and local mode: it imports only the pure job rules.",
      severity: "error",
      from: { path: "^config/" },
      to: { path: "^(handlers|cli|console|local|components|worker)/|^jobs/aws/|^(index|config)\\.ts$" },
    },
    {
      name: "console-loads-no-pulumi",
      comment:
        "The job console runs beside the CLI, on the user's machine, without the Pulumi SDK (directly or through anything it imports).",
      severity: "error",
      from: { path: "^console/" },
      to: { path: "(^|/)node_modules/@pulumi/", reachable: true },
    },
    {
      name: "console-reads-through-jobs-and-the-cli-helpers",
      comment:
        "The console's server reads what the CLI reads: the job model (jobs/), the stack configuration (config/) and the CLI's shared configuration and connection helpers; never a CLI command, a handler, local mode, a component or the worker.",
      severity: "error",
      from: { path: "^console/" },
      to: {
        path: "^(handlers|local|components|worker)/|^cli/(commands/|main\\.ts$|bin\\.js$)|^(index|config)\\.ts$",
      },
    },
    {
      name: "console-page-is-browser-code",
      comment:
        "The console's page is bundled for the browser: it imports only its own modules and the pure input-name helper, and the server's API only for its types.",
      severity: "error",
      from: { path: "^console/page/" },
      to: {
        pathNot: "^console/page/|^cli/input-name\\.ts$",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "bootstrap-stands-alone",
      comment:
        "The bootstrap program (its own Pulumi project, run before any stack exists) creates the CI roles from bootstrap/policies.ts: it imports nothing of the pipeline, so it loads on its own.",
      severity: "error",
      from: { path: "^bootstrap/" },
      to: { pathNot: "^bootstrap/|(^|/)node_modules/", dependencyTypesNot: ["core"] },
    },
    {
      name: "no-cycles",
      comment: "A cycle makes two modules one; split them or move the shared part.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|tests)/|/dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".cjs", ".mjs", ".json"],
    },
  },
};
