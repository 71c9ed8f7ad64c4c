// The CLI's command name, as installed (package.json "bin") and as its hints spell commands. Not "jobs":
// that is a shell builtin, which a shell (and so `npx`) runs instead of any program of the name.
export const COMMAND = "video-jobs";
