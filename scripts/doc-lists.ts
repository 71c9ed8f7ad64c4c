// The lists in the docs that would drift if written by hand, generated from the code: the jobs CLI's
// commands (from the commander program's own help) in docs/jobs-cli.md, and the stack outputs (the
// exports of index.ts) in docs/stacks.md. tests/docs/doc-lists.test.ts keeps each page equal to them;
// `npx tsx scripts/doc-lists.ts` rewrites the pages.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../cli/main";

const ROOT = path.join(__dirname, "..");

/** Each `<!-- generated: NAME -->` ... `<!-- end generated -->` block of the docs, and how to make it. */
export const DOC_LISTS = {
  "cli-commands": { page: "docs/jobs-cli.md", make: cliCommandsList },
  "stack-outputs": { page: "docs/stacks.md", make: stackOutputsList },
} as const;

export type DocList = keyof typeof DOC_LISTS;

/** The jobs CLI's commands as its help lists them: `usage` and what it does, one line each. */
export async function cliCommandsList(): Promise<string> {
  let help = "";
  const code = await runCli(["--help"], {
    stdout: { write: (text: string) => (help += text), isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
    env: {},
    cwd: ROOT,
    now: () => new Date(0),
    sleep: async () => {},
  });
  if (code !== 0) throw new Error(`jobs --help exited ${code}`);
  const section = help.slice(help.indexOf("Commands:\n") + "Commands:\n".length);
  const entries: Array<{ usage: string; text: string }> = [];
  for (const line of section.split("\n")) {
    const entry = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (entry?.[1] !== undefined) entries.push({ usage: entry[1].trim(), text: entry[2] ?? "" });
    else if (line.trim() !== "" && entries.length > 0) {
      const last = entries[entries.length - 1];
      if (last !== undefined) last.text = `${last.text} ${line.trim()}`.trim();
    }
  }
  return entries.map((entry) => `- \`${entry.usage}\`: ${entry.text}`).join("\n");
}

/** The stack outputs: every `export const` of index.ts, in its order. */
export async function stackOutputsList(): Promise<string> {
  const program = readFileSync(path.join(ROOT, "index.ts"), "utf8");
  const names = [...program.matchAll(/^export const (\w+) = (.+);$/gm)];
  return names.map(([, name, value]) => `- \`${name}\`: \`${value}\``).join("\n");
}

const block = (name: string, body: string) =>
  `<!-- generated: ${name} (scripts/doc-lists.ts) -->\n${body}\n<!-- end generated -->`;
const BLOCK = (name: string) =>
  new RegExp(`<!-- generated: ${name} [^>]*-->\\n(?:[\\s\\S]*?\\n)?<!-- end generated -->`);

/** The page with its block as the code makes it now. */
export async function pageWithList(name: DocList): Promise<{ file: string; now: string; wanted: string }> {
  const { page, make } = DOC_LISTS[name];
  const file = path.join(ROOT, page);
  const now = readFileSync(file, "utf8");
  if (!BLOCK(name).test(now)) throw new Error(`${page} has no block <!-- generated: ${name} ... -->`);
  const wanted = now.replace(BLOCK(name), block(name, await make()));
  return { file, now, wanted };
}

if (require.main === module) {
  void (async () => {
    for (const name of Object.keys(DOC_LISTS) as DocList[]) {
      const { file, now, wanted } = await pageWithList(name);
      if (now !== wanted) writeFileSync(file, wanted);
      process.stdout.write(`${path.relative(ROOT, file)}: ${now === wanted ? "unchanged" : "rewritten"}\n`);
    }
  })();
}
