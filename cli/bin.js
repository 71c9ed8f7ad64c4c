#!/usr/bin/env node
// The `video-jobs` command (package.json "bin"; in the repository `npm run jobs -- <command>`): runs the
// TypeScript CLI through tsx's CommonJS loader, so no build step stands between a change and the command.

require("tsx/cjs");
require("./main.ts").main();
