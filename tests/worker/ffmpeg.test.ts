// Finding ffmpeg/ffprobe: the system's on PATH first, the npm-packaged build otherwise; and reading the
// versions that decide which options the analysis may use.

import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverTools, fpsModeFlag, parseVersion } from "../../worker/src/ffmpeg";

let dir: string;
const signal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ffmpeg-discovery-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fake ffmpeg and ffprobe in their own folder, answering `-version` with `output` and `exitCode`. */
async function fakeTools(name: string, output: string, exitCode = 0): Promise<string> {
  const bin = path.join(dir, name);
  await mkdir(bin, { recursive: true });
  for (const tool of ["ffmpeg", "ffprobe"]) {
    const file = path.join(bin, tool);
    await writeFile(
      file,
      `#!/bin/sh\ncat <<'EOF'\n${output.replace("ffmpeg", tool)}\nEOF\nexit ${exitCode}\n`,
    );
    await chmod(file, 0o755);
  }
  return bin;
}

const VERSION_7 = "ffmpeg version 7.1-fake Copyright (c) 2000-2024\nlibavfilter    10.  4.100 / 10.  4.100";

describe("discovery", () => {
  it("takes the tools on PATH first", async () => {
    const bin = await fakeTools("on-path", VERSION_7);
    const tools = await discoverTools({ PATH: `${path.join(dir, "empty")}${path.delimiter}${bin}` }, signal);
    expect(tools.ffmpeg).toEqual({ path: path.join(bin, "ffmpeg"), version: "7.1-fake", source: "path" });
    expect(tools.ffprobe).toEqual({ path: path.join(bin, "ffprobe"), version: "7.1-fake", source: "path" });
    expect(tools.fpsModeFlag).toBe("-fps_mode");
  });

  it("falls back to the npm-packaged build when PATH has none, or only one that does not run", async () => {
    const broken = await fakeTools("broken", "segmentation fault", 139);
    for (const PATH of ["", broken]) {
      const tools = await discoverTools({ PATH }, signal);
      expect(tools.ffmpeg.source).toBe("package");
      expect(tools.ffprobe.source).toBe("package");
      expect(tools.ffmpeg.path).toContain(`${path.sep}node_modules${path.sep}@ffmpeg-installer${path.sep}`);
      expect(tools.ffmpeg.version).not.toBe("unknown");
    }
  });
});

describe("versions", () => {
  it.each([
    ["ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026", "5.1.9-0+deb12u1"],
    [
      "ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/",
      "N-47683-g0e8eb07980-static",
    ],
    ["something else", "unknown"],
  ])("%s -> %s", (text, version) => {
    expect(parseVersion(text)).toBe(version);
  });

  it.each([
    ["libavfilter     8. 44.100 /  8. 44.100", "-fps_mode"], // ffmpeg 5.1
    ["libavfilter    10.  4.100 / 10.  4.100", "-fps_mode"], // ffmpeg 7.1
    ["libavfilter     8. 24.100 /  8. 24.100", "-vsync"], // ffmpeg 5.0
    ["libavfilter     7. 46.101 /  7. 46.101", "-vsync"], // the 2018 static build
    ["", "-vsync"],
  ])("%s uses %s", (text, flag) => {
    expect(fpsModeFlag(text)).toBe(flag);
  });
});
