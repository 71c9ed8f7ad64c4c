// The project's layers, checked by dependency-cruiser in `npm run lint` (docs/layout.md says why each
// rule exists). Paths are relative to the repository root; tests/ is not cruised (tests may import any
// layer). tests/lint/layers.test.ts proves each rule fails on a deliberate violation.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "jobs-imports-no-entry-point",
      comment:
        "The job model is used by every entry point (handlers, CLI, local mode, the Pulumi program); it imports none of them, nor the worker: what crosses to the worker is in contracts/.",
      severity: "error",
      from: { path: "^jobs/" },
      to: { path: "^(handlers|cli|console|local|components|worker|config)/|^(index|config)\\.ts$" },
    },
    {
      name: "model-does-no-io",
      comment:
        "jobs/model/ is pure: decisions, folds, policies. It imports its own files, contracts/ and zod; another room only for a type (a port's interface), never an adapter or an SDK.",
      severity: "error",
      from: { path: "^jobs/model/" },
      to: {
        pathNot: "^jobs/model/|^contracts/|(^|/)node_modules/zod/",
        dependencyTypesNot: ["type-only", "core"],
      },
    },
    {
      name: "only-aws-adapters-use-the-aws-sdk",
      comment:
        "Everything in jobs/ except the adapters in jobs/adapters/aws/ runs without AWS: testable with the memory adapters.",
      severity: "error",
      from: { path: "^jobs/", pathNot: "^jobs/adapters/aws/" },
      to: { path: "(^|/)node_modules/@aws-sdk/|(^|/)node_modules/@smithy/" },
    },
    {
      name: "adapters-depend-on-ports",
      comment:
        "An adapter implements a port of the rooms (store/ports.ts, the workflows' own); no room imports an adapter, even for a type: the entry points choose them.",
      severity: "error",
      from: { path: "^jobs/(model|store|capacity|boundary|workflows|insights)/" },
      to: { path: "^jobs/adapters/" },
    },
    {
      name: "rooms-point-down",
      comment:
        "The rooms build on each other in one direction: model, store, capacity and boundary never call a workflow or a report (a type is fine).",
      severity: "error",
      from: { path: "^jobs/(model|store|capacity|boundary)/" },
      to: { path: "^jobs/(workflows|insights)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "enter-jobs-through-front-doors",
      comment:
        "Other layers import a room of jobs/ through its index.ts, so a room's files can move or split without touching them; an adapter (jobs/adapters/) is entered by its own file, so an entry point loads only the SDK clients it uses.",
      severity: "error",
      from: { pathNot: "^jobs/" },
      to: {
        path: "^jobs/(model|store|capacity|boundary|workflows|insights)/",
        pathNot: "^jobs/[a-z]+/index\\.ts$",
      },
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
        "The worker is built into its own image from worker/ and contracts/ (and the root package.json for its version): it imports nothing else of this repository.",
      severity: "error",
      from: { path: "^worker/" },
      to: {
        pathNot: "^worker/|^contracts/|^package\\.json$|(^|/)node_modules/",
        dependencyTypesNot: ["core"],
      },
    },
    {
      name: "contracts-stand-alone",
      comment:
        "contracts/ is what crosses a process boundary, read by both sides (the worker, the job model, the CLI): it imports only its own files and zod.",
      severity: "error",
      from: { path: "^contracts/" },
      to: { pathNot: "^contracts/|(^|/)node_modules/zod/", dependencyTypesNot: ["core"] },
    },
    {
      name: "config-is-neutral",
      comment:
        "Stack configuration is shared by the Pulumi program, the CLI and local mode: it imports only the job rules and contracts, no adapter.",
      severity: "error",
      from: { path: "^config/" },
      to: { path: "^(handlers|cli|console|local|components|worker)/|^jobs/adapters/|^(index|config)\\.ts$" },
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
