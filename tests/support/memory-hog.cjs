// A stand-in worker that needs memory, for local mode's task memory limit (tests/local/task-limits.test.ts):
// it allocates HOG_MIB MiB in 16 MiB steps, every page written so it is resident, and holds it — until
// HOG_HOLD_MS have passed (then exits 0), or until SIGTERM (then exits 143, as the real worker does; with
// HOG_IGNORE_SIGTERM=1 it ignores SIGTERM and only SIGKILL ends it). Run with `node` as the worker bundle.

process.on("SIGTERM", () => {
  if (process.env.HOG_IGNORE_SIGTERM === "1") return console.log("ignoring SIGTERM");
  console.log("got SIGTERM");
  process.exit(143);
});
const mib = Number(process.env.HOG_MIB ?? "0");
const holdMs = process.env.HOG_HOLD_MS === undefined ? undefined : Number(process.env.HOG_HOLD_MS);
const held = [];
for (let allocated = 0; allocated < mib; allocated += 16) {
  held.push(Buffer.alloc(Math.min(16, mib - allocated) * 1024 * 1024, 1));
}
console.log(`holding ${mib} MiB in ${held.length} buffers`);
if (holdMs === undefined) setInterval(() => {}, 1000);
else setTimeout(() => process.exit(0), holdMs);
