// A stack key whose namespace is a misspelling of the project's (`video-job:deletionProtection`) is read
// by no one: Pulumi hands it to no provider and the program reads only its own namespace, so the setting
// silently keeps its default. It is refused, naming the key it meant, wherever a stack's settings are read:
// the program (config.ts), local mode (--stack NAME) and `jobs check`.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { ConfigurationError } from "../../config/errors";
import { checkStackFile } from "../../config/stack-check";
import { loadStackConfig } from "../../local/stack-config";
import { REPO_ROOT } from "../infra/support/stack-config";

const root = mkdtempSync(path.join(tmpdir(), "misspelt-namespace-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MISSPELT = `config:
  aws:region: eu-west-1
  video-job:deletionProtection: true
  videojobs:workerCpu: 2048
  Video-Jobs:logLevel: DEBUG
`;

const EXPECTED = [
  'video-job:deletionProtection: the namespace "video-job" is not the project\'s; did you mean video-jobs:deletionProtection? (read by no one, the setting keeps its default) (got "true")',
  'videojobs:workerCpu: the namespace "videojobs" is not the project\'s; did you mean video-jobs:workerCpu? (read by no one, the setting keeps its default) (got "2048")',
  'Video-Jobs:logLevel: the namespace "Video-Jobs" is not the project\'s; did you mean video-jobs:logLevel? (read by no one, the setting keeps its default) (got "DEBUG")',
];

function problemsOf(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
}

function stackFile(stack: string, text: string): string {
  writeFileSync(path.join(root, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("a key in a misspelling of the project's namespace", () => {
  it("is refused by jobs check, naming the key it meant; other namespaces (aws:) are left alone", () => {
    expect(checkStackFile(stackFile("typo", MISSPELT)).problems).toEqual(EXPECTED);
  });

  it("is refused by local mode's --stack", () => {
    stackFile("typo", MISSPELT);
    expect(problemsOf(() => loadStackConfig(root, "typo"))).toEqual(EXPECTED);
  });

  it("is refused by the program", () => {
    expect(
      problemsOf(() =>
        loadConfig({
          "aws:region": "eu-west-1",
          "video-job:deletionProtection": "true",
          "videojobs:workerCpu": "2048",
          "Video-Jobs:logLevel": "DEBUG",
        }),
      ),
    ).toEqual(EXPECTED);
  });
});
