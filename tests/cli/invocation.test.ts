// Follow-up commands are spelt the way the CLI was run, with the configuration flags given.

import { describe, expect, it } from "vitest";
import type { GlobalOptions } from "../../cli/config";
import { commandLine, invocationOf } from "../../cli/invocation";

describe("invocationOf", () => {
  it("is `npm run jobs --` under the jobs script and under this package's other scripts", () => {
    expect(invocationOf({ npm_lifecycle_event: "jobs", npm_command: "run-script" }).program).toBe(
      "npm run jobs --",
    );
    const local = { npm_lifecycle_event: "local", npm_command: "run-script", npm_package_name: "video-jobs" };
    expect(invocationOf(local).program).toBe("npm run jobs --");
    // npm 11 says "run" where npm 10 said "run-script".
    expect(invocationOf({ ...local, npm_command: "run" }).program).toBe("npm run jobs --");
  });

  it("is `npx video-jobs` under npx, and `video-jobs` otherwise (another project's script included)", () => {
    expect(invocationOf({ npm_command: "exec", npm_lifecycle_event: "npx" }).program).toBe("npx video-jobs");
    expect(invocationOf({}).program).toBe("video-jobs");
    const other = { npm_lifecycle_event: "start", npm_command: "run-script", npm_package_name: "my-app" };
    expect(invocationOf(other).program).toBe("video-jobs");
  });

  it("keeps the configuration flags given, quoted for a shell, and not --json", () => {
    const globals: GlobalOptions = {
      local: true,
      stack: "dev",
      table: "my table",
      json: true,
      region: "eu-west-1",
    };
    const invocation = invocationOf({ npm_lifecycle_event: "jobs", npm_command: "run-script" }, globals);
    expect(commandLine(invocation, "watch", "s3-abc")).toBe(
      "npm run jobs -- --local --stack dev --table 'my table' --region eu-west-1 watch s3-abc",
    );
    expect(commandLine(invocationOf({}), "outputs", "job 1", "--download", "./out")).toBe(
      "video-jobs outputs 'job 1' --download ./out",
    );
  });
});
