// A stack key of the project's namespace that is no setting is an error naming the setting it most likely
// meant, wherever a stack's settings are read: the parser (and so local mode and the program), the
// program's entry (config.ts, which hands the parser every key Pulumi gives it), and `jobs check`.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { ConfigurationError } from "../../config/errors";
import { parsePipelineConfig } from "../../config/parse";
import { CONFIG_KEYS } from "../../config/schema";
import { editDistance, nearestKey } from "../../config/unknown-keys";
import { loadStackConfig } from "../../local/stack-config";
import { jobs } from "../cli/support/run";
import { REPO_ROOT } from "../infra/support/stack-config";

const root = mkdtempSync(path.join(tmpdir(), "unknown-keys-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project directory holding the repository's Pulumi.yaml and one stack file of the given text. */
function stackFile(stack: string, text: string): string {
  writeFileSync(path.join(root, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  writeFileSync(file, text);
  return file;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
}

const MISSPELT = `config:
  aws:region: eu-west-1
  aws:profile: ops
  video-jobs:workerMemoryMB: 4096
  video-jobs:maxAtempts: 5
  video-jobs:logLevel: DEBUG
`;

describe("the nearest setting", () => {
  it("is the same letters in another case first, else the fewest edits away", () => {
    expect(nearestKey("workerMemoryMB", CONFIG_KEYS)).toBe("workerMemoryMb");
    expect(nearestKey("MAXATTEMPTS", CONFIG_KEYS)).toBe("maxAttempts");
    expect(nearestKey("maxAtempts", CONFIG_KEYS)).toBe("maxAttempts");
    expect(nearestKey("dispatcherTimeout", CONFIG_KEYS)).toBe("dispatcherTimeoutSeconds");
    expect(nearestKey("logRetention", CONFIG_KEYS)).toBe("logRetentionDays");
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("the parser", () => {
  it("refuses a key that is no setting, naming the one it meant, with every other problem", () => {
    expect(problemsOf(() => parsePipelineConfig({ workerMemoryMB: "4096", maxAttempts: "0" }))).toEqual([
      'video-jobs:workerMemoryMB: is not a video-jobs setting; did you mean video-jobs:workerMemoryMb? (every setting: docs/settings.md) (got "4096")',
      "video-jobs:maxAttempts: must be between 1 and 100 (got 0)",
    ]);
  });
});

describe("local mode (--stack NAME)", () => {
  it("refuses a stack file other than dev and prod with a misspelt key, and leaves aws: keys alone", () => {
    stackFile("mystack", MISSPELT);
    const problems = problemsOf(() => loadStackConfig(root, "mystack"));
    expect(problems).toEqual([
      'video-jobs:workerMemoryMB: is not a video-jobs setting; did you mean video-jobs:workerMemoryMb? (every setting: docs/settings.md) (got "4096")',
      'video-jobs:maxAtempts: is not a video-jobs setting; did you mean video-jobs:maxAttempts? (every setting: docs/settings.md) (got "5")',
    ]);
  });

  it("runs a stack file other than dev and prod once it is spelt right", () => {
    stackFile("fixed", MISSPELT.replace("MemoryMB", "MemoryMb").replace("maxAtempts", "maxAttempts"));
    const config = loadStackConfig(root, "fixed");
    expect(config.worker.memoryMb).toBe(4096);
    expect(config.jobs.maxAttempts).toBe(5);
  });
});

describe("the program (config.ts)", () => {
  it("hands the parser every key of the project's namespace Pulumi gives it, none of the others", () => {
    const all = {
      "aws:region": "us-east-1",
      "aws:skipCredentialsValidation": "true",
      "video-jobs:workerCpu": "2048",
      "video-jobs:workerMemoryMb": "4096",
    };
    expect(loadConfig(all).worker).toMatchObject({ cpu: 2048, memoryMb: 4096 });
    expect(() => loadConfig({ ...all, "video-jobs:maxAtempts": "5" })).toThrow(
      /video-jobs:maxAtempts: is not a video-jobs setting; did you mean video-jobs:maxAttempts\?/,
    );
  });
});

describe("jobs check <stack-file>", () => {
  it("names each misspelt key and the setting it meant, and exits 1", async () => {
    const file = stackFile("mystack", MISSPELT);
    const result = await jobs(["check", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      `${file}: 2 problems (3 video-jobs settings; not checked, other namespaces: aws:region, aws:profile)\n` +
        '  - video-jobs:workerMemoryMB: is not a video-jobs setting; did you mean video-jobs:workerMemoryMb? (every setting: docs/settings.md) (got "4096")\n' +
        '  - video-jobs:maxAtempts: is not a video-jobs setting; did you mean video-jobs:maxAttempts? (every setting: docs/settings.md) (got "5")\n',
    );
  });

  it("checks values as the program does, relative to the working directory, and exits 0 when all is well", async () => {
    stackFile("bad-value", "config:\n  video-jobs:workerCpu: 1024\n  video-jobs:workerMemoryMb: 3000\n");
    const bad = await jobs(["check", "Pulumi.bad-value.yaml"], { cwd: root });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("video-jobs:workerMemoryMb: memory 3000 MiB is not valid with cpu 1024");
    const good = await jobs([
      "check",
      path.join(REPO_ROOT, "Pulumi.dev.yaml"),
      path.join(REPO_ROOT, "Pulumi.prod.yaml"),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(
      /Pulumi\.dev\.yaml: ok \(10 video-jobs settings; not checked, other namespaces: aws:region\)\n/,
    );
  });

  it("reads no encrypted value, but still refuses a misspelt encrypted key", async () => {
    const file = stackFile(
      "secret",
      "config:\n  video-jobs:alarmEmail:\n    secure: v1:abc\n  video-jobs:alarmMail:\n    secure: v1:def\n",
    );
    const result = await jobs(["check", file, "--json"]);
    expect(result.code).toBe(1);
    const [report] = result.json<{ files: Array<{ problems: string[]; encrypted: string[] }> }>().files;
    expect(report?.encrypted).toEqual(["alarmEmail", "alarmMail"]);
    expect(report?.problems).toEqual([
      'video-jobs:alarmMail: is not a video-jobs setting; did you mean video-jobs:alarmEmail? (every setting: docs/settings.md) (got "(encrypted)")',
    ]);
  });

  it("exits 2 for a file that is missing or not a stack file, and goes on with the others", async () => {
    const notYaml = path.join(root, "Pulumi.broken.yaml");
    writeFileSync(notYaml, "config: [unclosed\n");
    const good = path.join(REPO_ROOT, "Pulumi.dev.yaml");
    const result = await jobs(["check", path.join(root, "Pulumi.none.yaml"), notYaml, good]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: no file ${path.join(root, "Pulumi.none.yaml")}`);
    expect(result.stderr).toContain(`error: ${notYaml} is not YAML`);
    expect(result.stdout).toContain("Pulumi.dev.yaml: ok");
  });

  it("needs at least one file (a usage error, exit 2)", async () => {
    expect((await jobs(["check"])).code).toBe(2);
  });
});
