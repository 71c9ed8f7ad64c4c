// Regenerates samples/clip.mp4, the video the README's first command runs through local mode:
// 320x240, 25 fps, 7 s, three scene cuts, a black segment and a tone (tests/support/video.ts).
//   npx tsx samples/make-sample.ts

import path from "node:path";
import { generateVideo, SCENE_TEST_VIDEO } from "../tests/support/video";

generateVideo(path.join(__dirname, "clip.mp4"), SCENE_TEST_VIDEO).then(
  (video) =>
    console.log(
      `wrote ${path.relative(process.cwd(), video.path)} (${video.durationSeconds} s, cuts at ${video.cuts.join(", ")} s)`,
    ),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
