// Operations monitoring with alarmEmail set and a cap on running tasks of 500: the address is subscribed
// by email to the one alarm topic, and the stack's cap is drawn on the running-tasks graph.

import { beforeAll, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { json, PIPELINE_NAME, type PipelineRun, referencesOf, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

beforeAll(async () => {
  const config = parsePipelineConfig({
    ...projectRawConfig("dev"),
    alarmEmail: "ops@example.com",
    maxRunningTasks: "500",
  });
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

it("subscribes alarmEmail to the stack's one alarm topic", () => {
  expect(run.ofType("aws:sns/topic:Topic")).toHaveLength(1);
  const [subscription, ...others] = run.ofType("aws:sns/topicSubscription:TopicSubscription");
  expect(others).toEqual([]);
  expect(subscription?.name).toBe(`${PIPELINE_NAME}-alarms-email`);
  expect(subscription?.inputs).toMatchObject({
    topic: refs.alarmTopicArn,
    protocol: "email",
    endpoint: "ops@example.com",
  });
});

it("draws maxRunningTasks on the running-tasks graph", () => {
  const body = json<{ widgets: { properties: { title?: string; annotations?: unknown } }[] }>(
    run.one("aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs.dashboardBody,
  );
  const capacity = body.widgets.filter((widget) => widget.properties.title?.startsWith("Running tasks"));
  expect(capacity.map((widget) => widget.properties.annotations)).toEqual([
    { horizontal: [{ label: "maxRunningTasks", value: 500 }] },
  ]);
});
