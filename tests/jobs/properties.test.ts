// Property tests: ECS events arrive at least once and in any order; the final state must not depend on it.
// And whatever sequence of commands runs, the stored state is the fold of the stored events: on the memory
// store, where it holds by construction, and on DynamoDB, where the item is read back as stored.

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import {
  type JobCommand,
  jobDecider,
  type PolicyCommand,
  type TaskObservation,
} from "../../jobs/model/decide";

type AnyCommand = JobCommand | PolicyCommand;

import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { JobEvent } from "../../jobs/model/events";
import { evolve, foldEvents, type JobState } from "../../jobs/model/state";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { parseStoredEvents } from "../../jobs/store/stored-job-schema";
import { JOBS_TABLE_KEY, STATE_ATTRIBUTES } from "../../jobs/store/table-schema";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { INPUT, launched, observation, submitted, T0, TEST_POLICY, taskArn } from "../support/factories";

const JOB = "job-p";

function applyAll(history: JobEvent[], observations: readonly TaskObservation[]): JobState {
  let state = foldEvents(JOB, history);
  for (const task of observations) {
    const events = jobDecider(TEST_POLICY)(state, { type: "ObserveTask", now: T0, observation: task });
    state = events.reduce(evolve, state);
  }
  return state;
}

const stop = fc.oneof(
  fc.record({ exitCode: fc.constantFrom(0, 1, 2, 65, 66, 70, 137, 143) }),
  fc.constant({
    stopCode: "TaskFailedToStart",
    stoppedReason: "ResourceInitializationError: unable to pull secrets",
  }),
  fc.constant({ stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." }),
  fc.constant({
    stopCode: "SpotInterruption",
    stoppedReason: "Your Spot Task was interrupted.",
    exitCode: 143,
  }),
);

/** The events ECS emits for one task, in version order: some intermediate states, RUNNING, STOPPED. */
const taskLifecycle = fc
  .tuple(stop, fc.boolean(), fc.boolean(), fc.boolean())
  .map(([stopFields, withPending, withRunning, nameAttempt]) => {
    const events: TaskObservation[] = [];
    const base = (lastStatus: string, ecsVersion: number): TaskObservation => {
      const o = observation({ lastStatus, ecsVersion, taskArn: taskArn(1) });
      if (nameAttempt) return o;
      const { attempt: _attempt, ...unnamed } = o;
      return unnamed;
    };
    if (withPending) events.push(base("PENDING", 1));
    if (withRunning) events.push(base("RUNNING", 3));
    events.push({ ...base("STOPPED", 6), stopCode: "EssentialContainerExited", ...stopFields });
    return events;
  });

/** Any order, each event delivered one or more times. */
const deliveries = (events: TaskObservation[]) =>
  fc.array(fc.nat(events.length - 1), { minLength: 0, maxLength: 6 }).chain((extra) =>
    fc.shuffledSubarray([...events, ...extra.map((i) => events[i] as TaskObservation)], {
      minLength: events.length + extra.length,
    }),
  );

describe("ECS event order and duplication", () => {
  for (const [name, history] of [
    ["after RunTask answered", launched(JOB)],
    ["before RunTask answered", submitted(JOB)],
  ] as const) {
    it(`any permutation and duplication of a task's events folds to the same state (${name})`, () => {
      fc.assert(
        fc.property(
          taskLifecycle.chain((events) => fc.tuple(fc.constant(events), deliveries(events))),
          ([inOrder, delivered]) => {
            expect(applyAll([...history], delivered)).toEqual(applyAll([...history], inOrder));
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

const command = fc.oneof(
  fc.constant<AnyCommand>({ type: "Submit", now: T0, jobId: JOB, input: INPUT, source: { kind: "message" } }),
  fc
    .integer({ min: 1, max: 4 })
    .map<AnyCommand>((attempt) => ({ type: "RecordLaunch", now: T0, attempt, taskArn: taskArn(attempt) })),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).map<AnyCommand>(([attempt, retryable]) => ({
    type: "RecordLaunchFailure",
    now: T0,
    attempt,
    failure: { reason: retryable ? "RESOURCE:MEMORY" : "MISSING", retryable },
  })),
  fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom("RUNNING", "STOPPED"),
      fc.integer({ min: 1, max: 9 }),
      fc.constantFrom(0, 1, 65, 137),
    )
    .map<AnyCommand>(([attempt, lastStatus, ecsVersion, exitCode]) => ({
      type: "ObserveTask",
      now: T0,
      observation: observation({ attempt, taskArn: taskArn(attempt), lastStatus, ecsVersion, exitCode }),
    })),
  fc.integer({ min: 2, max: 4 }).map<AnyCommand>((attempt) => ({ type: "LaunchRetry", now: T0, attempt })),
  fc.constant<AnyCommand>({ type: "Cancel", now: T0, reason: "by user" }),
  fc.constant<AnyCommand>({ type: "TimeOut", now: T0, reason: "too long" }),
  fc.constant<AnyCommand>({ type: "ManualRetry", now: T0, reason: "by hand" }),
);

/** Runs `commands` on one job through `changeJob`, checking after each that `storedState` is the fold. */
async function runCommands(
  store: JobStore,
  jobId: string,
  commands: readonly AnyCommand[],
  storedState: (jobId: string) => Promise<{ state: unknown; events: readonly JobEvent[] } | undefined>,
): Promise<void> {
  for (const c of commands) {
    const forJob = c.type === "Submit" ? { ...c, jobId } : c;
    try {
      await changeJob(store, jobId, (state) => jobDecider(TEST_POLICY)(state, forJob));
    } catch (error) {
      if (
        !(error instanceof Error) ||
        !/^(JobNotFound|InvalidTransition|JobIdConflict)Error$/.test(error.name)
      )
        throw error;
    }
    const stored = await storedState(jobId);
    if (stored) expect(stored.state).toEqual(foldEvents(jobId, stored.events));
  }
}

describe("stored state", () => {
  it("always equals the fold of the stored events, whatever commands ran (memory store)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 25 }), async (commands) => {
        const store = new MemoryJobStore();
        await runCommands(store, JOB, commands, (jobId) => store.get(jobId));
      }),
      { numRuns: 300 },
    );
  });

  describe("on DynamoDB (dynalite), reading the item back", () => {
    let db: LocalDynamoDb;
    let store: DynamoDbJobStore;
    let tableName: string;
    beforeAll(async () => {
      db = await startLocalDynamoDb();
      tableName = await db.createTable("properties");
      store = new DynamoDbJobStore(db.client, { tableName, retentionDays: 0 });
    });
    afterAll(async () => {
      await db?.stop();
    });

    /**
     * The item as DynamoDB holds it, not as the store's reader hands it over: the state columns (an absent
     * attribute is an absent field, so a column a change should have removed shows) and the event list.
     */
    async function storedItem(jobId: string) {
      const { Item } = await db.client.send(
        new GetCommand({ TableName: tableName, Key: { [JOBS_TABLE_KEY]: jobId }, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const state: Record<string, unknown> = { jobId };
      for (const field of STATE_ATTRIBUTES) if (Item[field] !== undefined) state[field] = Item[field];
      return { state, events: parseStoredEvents(jobId, Item.events) };
    }

    let runs = 0;
    it("always equals the fold of the stored events, whatever commands ran", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 15 }), async (commands) => {
          await runCommands(store, `${JOB}-${++runs}`, commands, storedItem);
        }),
        { numRuns: 40 },
      );
    });
  });
});
