// A stand-in worker that needs memory, for local mode's task memory limit (tests/local/task-limits.test.ts,
// tests/local/out-of-memory-and-spot-fallback.test.ts): it allocates MiB in 16 MiB steps, every page written
// so it is resident, and holds it — for a while (then exits 0), or until SIGTERM (then exits 143, as the real
// worker does; or ignores SIGTERM, so that only SIGKILL ends it). Run with `node` as the worker bundle.
// Settings from its environment (HOG_MIB, HOG_HOLD_MS, HOG_IGNORE_SIGTERM=1) or, as a job's params, from
// JOB_PARAMS ({"hogMib": 600, "holdMs": 1500}); without a hold time it holds until signalled.

const params = JSON.parse(process.env.JOB_PARAMS ?? "{}");
const setting = (name, param) =>
  process.env[name] ?? (params[param] === undefined ? undefined : String(params[param]));
process.on("SIGTERM", () => {
  if (setting("HOG_IGNORE_SIGTERM", "ignoreSigterm") === "1") return console.log("ignoring SIGTERM");
  console.log("got SIGTERM");
  process.exit(143);
});
const mib = Number(setting("HOG_MIB", "hogMib") ?? "0");
const hold = setting("HOG_HOLD_MS", "holdMs");
const held = [];
for (let allocated = 0; allocated < mib; allocated += 16) {
  held.push(Buffer.alloc(Math.min(16, mib - allocated) * 1024 * 1024, 1));
}
console.log(`holding ${mib} MiB in ${held.length} buffers`);
if (hold === undefined) setInterval(() => {}, 1000);
else setTimeout(() => process.exit(0), Number(hold));
