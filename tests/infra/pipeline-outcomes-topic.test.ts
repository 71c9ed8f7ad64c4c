// The pipeline given an alarm topic of the caller's: every alarm, the outcome publisher's included, notifies
// it, and no topic of the stack's own is made.

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

it("sends every other alarm to the topic given too", () => {
  const alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  expect(alarms.length).toBe(16);
  for (const alarm of alarms) {
    expect(alarm.inputs, alarm.name).toMatchObject({ alarmActions: [TOPIC], okActions: [TOPIC] });
  }
  expect(run.ofType("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
});
