// Job outcomes under Pulumi mocks: the jobs table's stream, the jobs bus, the publisher Lambda and its
// stream event source (batch item failures, bisect, retries, on-failure destination), least-privilege IAM,
// and the alarms on its dead-letter queue and lag, with an action to the topic given or created.

import { beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_NODE_RUNTIME } from "../../components/lib/bundle";
import { HANDLER_ENVIRONMENT_NAMES } from "../../components/lib/handler-environment";
import {
  type PolicyDocument,
  policyDocument,
  publisherPermissions,
  writeLogsStatement,
} from "../../components/lib/policies";
import { variablesOf } from "../../config/handler-variables";
import { parsePipelineConfig } from "../../config/parse";
import { readFunctionConfig, variablesReadBy } from "../../handlers/environment";
import { json, PIPELINE_NAME, type PipelineRun, referencesOf, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const config = parsePipelineConfig(projectRawConfig("dev"));
let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

beforeAll(async () => {
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

describe("the outbox", () => {
  it("the jobs table streams every write with the item before and after it", () => {
    const table = run.one("aws:dynamodb/table:Table", "jobs-table");
    expect(table.inputs).toMatchObject({ streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
  });

  it("the publisher reads that stream in order, reporting the first failed record, bisecting errors", () => {
    const mapping = run.one("aws:lambda/eventSourceMapping:EventSourceMapping", "outcomes-stream");
    expect(mapping.inputs).toEqual({
      eventSourceArn: refs.streamArn,
      functionName: refs.publisherArn,
      startingPosition: "LATEST",
      batchSize: 100,
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 20,
      maximumRecordAgeInSeconds: 86_400,
      parallelizationFactor: 1,
      destinationConfig: { onFailure: { destinationArn: refs.outcomesDeadLetterQueueArn } },
    });
  });

  it("the publisher runs its own handler with exactly the variables it reads, the bus and dead-letter queue included", () => {
    const fn = run.one("aws:lambda/function:Function", "outcomes-publisher-function").inputs;
    const environment = (fn.environment as { variables: Record<string, string> }).variables;
    expect(Object.keys(environment).sort()).toEqual([...variablesOf("publisher")].sort());
    expect(Object.keys(environment).sort()).toEqual(
      [...variablesReadBy("publisher"), "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"].sort(),
    );
    expect(HANDLER_ENVIRONMENT_NAMES).toEqual(expect.arrayContaining(Object.keys(environment)));
    expect(environment).toMatchObject({
      JOBS_EVENT_BUS_NAME: refs.eventBusName,
      OUTCOMES_DEAD_LETTER_QUEUE_URL: refs.outcomesDeadLetterQueueUrl,
      OUTPUT_BUCKET: refs.bucketName,
      POWERTOOLS_SERVICE_NAME: `${PIPELINE_NAME}-publisher`,
    });
    expect(() => readFunctionConfig("publisher", environment)).not.toThrow();
    expect(fn).toMatchObject({ runtime: LAMBDA_NODE_RUNTIME, timeout: config.taskStateTimeoutSeconds });
  });

  it("may read the stream, put events on the jobs bus only, and send to its dead-letter queue", () => {
    const policy = json<PolicyDocument>(
      run.one("aws:iam/rolePolicy:RolePolicy", "outcomes-publisher-policy").inputs.policy,
    );
    expect(policy).toEqual(
      policyDocument(
        ...publisherPermissions({
          streamArn: refs.streamArn,
          eventBusArn: refs.eventBusArn,
          deadLetterQueueArn: refs.outcomesDeadLetterQueueArn,
        }),
        writeLogsStatement(refs.publisherLogGroupArn),
      ),
    );
    const put = policy.Statement.find((s) => s.Action.includes("events:PutEvents"));
    expect(put?.Resource).toEqual([refs.eventBusArn]);
    expect(refs.eventBusArn).toMatch(/:event-bus\//);
  });

  it("alarms on anything in its dead-letter queue and on falling behind, notifying the topic", () => {
    // The stack's one alarm topic (AlarmTopic), which every other alarm notifies too.
    const topic = run.one("aws:sns/topic:Topic", "-alarms-topic");
    expect(refs.alarmTopicArn).toMatch(/^arn:aws:sns:/);
    const dlqAlarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "outcomes-dlq-alarm").inputs;
    expect(dlqAlarm).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: [refs.alarmTopicArn],
    });
    expect((dlqAlarm.dimensions as { QueueName: string }).QueueName).toBe(
      refs.outcomesDeadLetterQueueUrl.split("/").pop(),
    );
    const lag = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "outcomes-lag-alarm").inputs;
    expect(lag).toMatchObject({
      metricName: "IteratorAge",
      dimensions: { FunctionName: refs.publisherName },
      alarmActions: [refs.alarmTopicArn],
    });
    expect(topic.type).toBe("aws:sns/topic:Topic");
  });
});
