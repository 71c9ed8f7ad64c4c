// Job outcomes given the stack's own alarm topic: the alarms notify it and no topic of their own is made.

import { beforeAll, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { type PipelineRun, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:video-jobs-dev-alarms";
let run: PipelineRun;

beforeAll(async () => {
  run = await runPipeline(parsePipelineConfig(projectRawConfig("dev")), { alarmTopicArn: TOPIC });
}, 60_000);

it("sends the publisher's alarms to the topic given, creating none", () => {
  expect(run.ofType("aws:sns/topic:Topic")).toEqual([]);
  for (const alarm of ["outcomes-dlq-alarm", "outcomes-lag-alarm"]) {
    expect(run.one("aws:cloudwatch/metricAlarm:MetricAlarm", alarm).inputs.alarmActions).toEqual([TOPIC]);
  }
});
