// Finds ffmpeg and ffprobe: the system's on PATH first (Debian's in the image), else the static builds that
// the optional npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe ship, so a developer
// needs no system install. Each candidate must answer `-version`; which one ran goes into result.json.

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InternalError } from "./errors";
import { run } from "./exec";

export type ToolSource = "path" | "package";

export interface Tool {
  readonly path: string;
  /** As the tool prints it: "5.1.9-0+deb12u1", or a git describe for static snapshot builds. */
  readonly version: string;
  readonly source: ToolSource;
}

export interface Tools {
  readonly ffmpeg: Tool;
  readonly ffprobe: Tool;
  /** ffmpeg >= 5.1 spells the output frame-rate mode `-fps_mode`; older builds only know `-vsync`. */
  readonly fpsModeFlag: "-fps_mode" | "-vsync";
}

type ToolName = "ffmpeg" | "ffprobe";

const PACKAGES: Record<ToolName, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};

const PackageExport = z.object({ path: z.string().min(1) });

export async function discoverTools(env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Tools> {
  const [ffmpeg, ffprobe] = await Promise.all([
    findTool("ffmpeg", env, signal),
    findTool("ffprobe", env, signal),
  ]);
  return { ffmpeg: ffmpeg.tool, ffprobe: ffprobe.tool, fpsModeFlag: fpsModeFlag(ffmpeg.versionText) };
}

async function findTool(
  name: ToolName,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<{ tool: Tool; versionText: string }> {
  // Tried in order; the package is only looked at when PATH has nothing that runs.
  const candidates: Array<() => Promise<{ path: string; source: ToolSource } | undefined>> = [
    async () => {
      const found = await findOnPath(name, env);
      return found ? { path: found, source: "path" } : undefined;
    },
    async () => {
      const found = packagedBinary(name);
      return found ? { path: found, source: "package" } : undefined;
    },
  ];
  const rejected: string[] = [];
  for (const next of candidates) {
    const candidate = await next();
    if (!candidate) continue;
    const versionText = await versionOf(candidate.path, signal);
    if (versionText === undefined) {
      rejected.push(`${candidate.path} (does not run)`);
      continue;
    }
    return { tool: { ...candidate, version: parseVersion(versionText) }, versionText };
  }
  const tried = rejected.length > 0 ? `; tried ${rejected.join(", ")}` : "";
  throw new InternalError(
    `${name}-not-found`,
    `${name} not found: not on PATH and ${PACKAGES[name]} is not installed${tried}`,
  );
}

async function findOnPath(name: ToolName, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const executable = process.platform === "win32" ? `${name}.exe` : name;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, executable);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The optional package's binary, if the package and its platform package are installed and executable. */
function packagedBinary(name: ToolName): string | undefined {
  let exported: unknown;
  try {
    // A plain require, left external by the bundler: the image has no such package and never gets here.
    exported = require(PACKAGES[name]);
  } catch {
    return undefined; // not installed, or no build for this platform (the package throws then)
  }
  const parsed = PackageExport.safeParse(exported);
  return parsed.success ? parsed.data.path : undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function versionOf(file: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const result = await run(file, ["-hide_banner", "-version"], { signal, collectStdout: true });
    return result.code === 0 ? result.stdout : undefined;
  } catch {
    return undefined; // could not be started (e.g. a binary for another architecture)
  }
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." -> "5.1.9-0+deb12u1". */
export function parseVersion(versionText: string): string {
  return /^\S+ version (\S+)/m.exec(versionText)?.[1] ?? "unknown";
}

/** `-fps_mode` arrived in ffmpeg 5.1, whose libavfilter is 8.44; git snapshots have no release number. */
export function fpsModeFlag(versionText: string): "-fps_mode" | "-vsync" {
  const match = /^libavfilter\s+(\d+)\.\s*(\d+)\./m.exec(versionText);
  if (!match) return "-vsync";
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 8 || (major === 8 && minor >= 44) ? "-fps_mode" : "-vsync";
}
