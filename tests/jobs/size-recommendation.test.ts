// The size recommendation from history (jobs/insights/size-recommendation.ts): what the succeeded jobs' successful
// attempts used, read from real histories; hand-computed recommendations, savings and would-be OOM counts;
// and, for any measurements, a recommendation that is a valid Fargate size covering the need.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FARGATE_CPU_SIZES, fargateMemoryOptions, fargateSizeProblem } from "../../config/fargate";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import {
  MEMORY_HEADROOM,
  type Measurements,
  MIN_MEASURED_JOBS,
  recommendSize,
  SIZE_PERCENTILE,
  type SizeMeasurement,
  sizeMeasurements,
  smallestFargateSize,
} from "../../jobs/insights/size-recommendation";
import type { JobHistory } from "../../jobs/insights/stats";
import { pricesFor } from "../../jobs/model/fargate-prices";
import { JobDriver, seed, taskArnFor, video } from "../support/histories";
import { seedMeasuredJob } from "../support/measured-jobs";

const T0 = new Date("2026-11-26T10:00:00.000Z");
const ONE_VCPU_2GB = { cpu: 1024, memoryMib: 2048 };

const measurement = (peakMemoryMb: number, vcpusUsed?: number): SizeMeasurement => ({
  jobId: `job-${peakMemoryMb}`,
  peakMemoryMb,
  ...(vcpusUsed === undefined ? {} : { vcpusUsed }),
  size: ONE_VCPU_2GB,
  architecture: "X86_64",
  region: "us-east-1",
});
const recommend = (measured: SizeMeasurement[], unmeasured = 0) =>
  recommendSize({ measurements: { measured, unmeasured }, pricesFor: (r) => pricesFor(r) });

async function histories(store: MemoryJobStore, ids: readonly string[]): Promise<JobHistory[]> {
  const out: JobHistory[] = [];
  for (const id of ids) {
    const stored = await store.get(id);
    if (stored !== undefined) out.push({ state: stored.state, events: stored.events });
  }
  return out;
}

describe("what the succeeded jobs used", () => {
  it("reads peak memory and vCPUs used from the successful attempt's stop, and its size from its launch", async () => {
    const store = new MemoryJobStore();
    // 150 CPU-seconds over 100 s running: 1.5 vCPUs.
    await seedMeasuredJob(store, "job-a", T0, {
      peakMemoryMb: 812.5,
      cpuSeconds: 150,
      ranFor: 100,
      size: { cpuUnits: 2048, memoryMib: 4096 },
    });
    // No cost recorded (no price for the task), no CPU time reported: the size its launch recorded.
    await seedMeasuredJob(store, "job-b", T0, { peakMemoryMb: 300, recorded: "launch" });
    // Neither recorded (a launch from before launches had sizes, and no price): no size known.
    await seedMeasuredJob(store, "job-d", T0, { peakMemoryMb: 200, recorded: "nothing" });
    // An older worker: no peak memory.
    await seedMeasuredJob(store, "job-c", T0, { cpuSeconds: 3, size: { cpuUnits: 1024, memoryMib: 2048 } });
    // Not succeeded: not looked at.
    await seed(store, "job-oom", "out-of-memory", T0);
    await seed(store, "job-running", "running", T0);

    const result = sizeMeasurements(
      await histories(store, ["job-a", "job-b", "job-c", "job-d", "job-oom", "job-running"]),
    );
    expect(result.unmeasured).toBe(1);
    expect(result.measured).toEqual([
      {
        jobId: "job-a",
        peakMemoryMb: 812.5,
        vcpusUsed: 1.5,
        size: { cpu: 2048, memoryMib: 4096 },
        architecture: "X86_64",
        region: "us-east-1",
      },
      { jobId: "job-b", peakMemoryMb: 300, size: { cpu: 1024, memoryMib: 2048 } },
      { jobId: "job-d", peakMemoryMb: 200 },
    ]);
  });

  it("takes the size of the attempt that succeeded: an out-of-memory retry's bigger one, with no price", async () => {
    const store = new MemoryJobStore();
    const job = new JobDriver(store, "job-grown", T0);
    await job.submit(0, video("job-grown"));
    await job.launched(2, 1);
    await job.running(3, 1);
    await job.stopped(3, 1, { exitCode: 137, containerReason: "OutOfMemoryError: Container killed" }, 20);
    await job.relaunch(121, 2);
    await job.launched(122, 2);
    // Stopped with no cost recorded (a region without a price for the task).
    await job.apply(300, {
      type: "ObserveTask",
      observation: {
        taskArn: taskArnFor("job-grown", 2),
        attempt: 2,
        lastStatus: "STOPPED",
        ecsVersion: 6,
        stopCode: "EssentialContainerExited",
        exitCode: 0,
        timings: { startedAt: job.at(140), executionStoppedAt: job.at(240), stoppedAt: job.at(243) },
        workerOutcome: { exitCode: 0, code: "ok", message: "analysed", peakMemoryMb: 3000 },
      },
    });
    const [history] = await histories(store, ["job-grown"]);
    expect(history?.state.status).toBe("SUCCEEDED");
    // 1 vCPU 2 GiB ran out of memory; the retry ran at the next rung, twice the memory.
    expect(sizeMeasurements(history ? [history] : []).measured).toEqual([
      { jobId: "job-grown", peakMemoryMb: 3000, size: { cpu: 1024, memoryMib: 4096 } },
    ]);
  });

  it("takes the attempt that succeeded, not an earlier failed one", async () => {
    const store = new MemoryJobStore();
    await seed(store, "job-retried", "retried-then-succeeded", T0);
    const [history] = await histories(store, ["job-retried"]);
    // The seeded scenario's worker reported nothing: the succeeded job counts as unmeasured.
    expect(sizeMeasurements(history ? [history] : [])).toEqual({ measured: [], unmeasured: 1 });
  });
});

describe("the smallest Fargate size covering a need", () => {
  it.each([
    [375, 0.125, { cpu: 256, memoryMib: 512 }],
    [512, 0, { cpu: 256, memoryMib: 512 }],
    [513, 0, { cpu: 256, memoryMib: 1024 }],
    [6250, 0.2, { cpu: 1024, memoryMib: 7168 }], // 0.25 and 0.5 vCPU stop at 2 and 4 GiB
    [1250, 2.125, { cpu: 4096, memoryMib: 8192 }], // more than 2 vCPU: 4 vCPU, whose floor is 8 GiB
    [30721, 0, { cpu: 8192, memoryMib: 32768 }], // past 4 vCPU's 30 GiB: 8 vCPU in 4 GiB steps
    [122880, 16, { cpu: 16384, memoryMib: 122880 }],
  ])("%d MiB and %d vCPU -> %o", (memory, vcpus, expected) => {
    expect(smallestFargateSize(memory, vcpus)).toEqual(expected);
  });

  it("is undefined past the largest size", () => {
    expect(smallestFargateSize(122881, 1)).toBeUndefined();
    expect(smallestFargateSize(1024, 16.01)).toBeUndefined();
  });
});

describe("the recommendation", () => {
  it("is the p95 of peak memory and vCPUs plus headroom, with the saving and the jobs that would run out", () => {
    // 19 jobs at 300 MiB and 0.1 vCPU, one at 900 MiB: p95 (nearest rank 19 of 20) is 300 MiB.
    const measured = [...Array.from({ length: 19 }, () => measurement(300, 0.1)), measurement(900, 0.4)];
    const result = recommend(measured, 3);
    expect(result).toMatchObject({
      measured: 20,
      unmeasured: 3,
      cpuMeasured: 20,
      current: ONE_VCPU_2GB,
      otherSizes: 0,
      need: { peakMemoryP95Mb: 300, memoryNeededMib: 375, vcpusP95: 0.1, vcpusNeeded: 0.125 },
      recommended: { cpu: 256, memoryMib: 512 },
      wouldRunOutOfMemory: 1, // the 900 MiB job
      peakMemoryMb: { p50: 300, p95: 300, max: 900 },
    });
    // us-east-1 x86: 1 x 0.04048 + 2 x 0.004445 = 0.04937/h; 0.25 x 0.04048 + 0.5 x 0.004445 = 0.0123425/h.
    expect(result.saving?.currentPerHourUsd).toBeCloseTo(0.04937, 9);
    expect(result.saving?.recommendedPerHourUsd).toBeCloseTo(0.0123425, 9);
    expect(result.saving?.perJobHourUsd).toBeCloseTo(0.0370275, 9);
    expect(result.saving?.percent).toBeCloseTo(75.0, 6);
    expect(result.noPrices).toBeUndefined();
  });

  it("raises CPU for a CPU-bound workload, and says the cost goes up", () => {
    const result = recommend(Array.from({ length: 10 }, () => measurement(1000, 1.7)));
    // 1.7 x 1.25 = 2.125 vCPU: 4 vCPU, 8 GiB at least. 4 x 0.04048 + 8 x 0.004445 = 0.19748/h.
    expect(result.recommended).toEqual({ cpu: 4096, memoryMib: 8192 });
    expect(result.saving?.perJobHourUsd).toBeCloseTo(0.04937 - 0.19748, 9);
    expect(result.saving?.percent).toBeCloseTo(-300, 6);
  });

  it("sizes on memory alone when no job gave its CPU time", () => {
    const result = recommend(Array.from({ length: 12 }, (_, i) => measurement(4000 + i * 100)));
    // p95 = rank 12 of 12 = 5100 MiB; x 1.25 = 6375 -> 1 vCPU, 7 GiB.
    expect(result.cpuMeasured).toBe(0);
    expect(result.need).toMatchObject({ peakMemoryP95Mb: 5100, memoryNeededMib: 6375, vcpusNeeded: 0 });
    expect(result.need?.vcpusP95).toBeUndefined();
    expect(result.recommended).toEqual({ cpu: 1024, memoryMib: 7168 });
  });

  it("recommends nothing below the minimum of measured jobs, and still reports them", () => {
    const result = recommend(
      Array.from({ length: MIN_MEASURED_JOBS - 1 }, () => measurement(700, 0.5)),
      4,
    );
    expect(result.recommended).toBeUndefined();
    expect(result.noRecommendation).toBe(
      `${MIN_MEASURED_JOBS - 1} measured job(s); a recommendation needs at least ${MIN_MEASURED_JOBS}`,
    );
    expect(result).toMatchObject({ measured: 9, unmeasured: 4, peakMemoryMb: { max: 700 } });
  });

  it("says so when the need is beyond Fargate's largest size", () => {
    const result = recommend(Array.from({ length: 10 }, () => measurement(100_000)));
    expect(result.recommended).toBeUndefined();
    expect(result.noRecommendation).toBe("the need is beyond Fargate's largest size");
  });

  it("gives no saving for a region without prices, and says which", () => {
    const measured = Array.from({ length: 10 }, () => ({ ...measurement(300), region: "xx-nowhere-1" }));
    const result = recommend(measured);
    expect(result.recommended).toEqual({ cpu: 256, memoryMib: 512 });
    expect(result.saving).toBeUndefined();
    expect(result.noPrices).toBe("no prices for xx-nowhere-1");
  });

  it("gives no saving where the region has no price for the architecture (ARM in us-west-2)", () => {
    const measured = Array.from({ length: 10 }, () => ({
      ...measurement(300),
      region: "us-west-2",
      architecture: "ARM64" as const,
    }));
    const result = recommend(measured);
    expect(result.saving).toBeUndefined();
    expect(result.noPrices).toBe("no ARM64 prices for us-west-2");
    // x86 there is priced: 0.04048 + 2 x 0.004445 against 0.25 x 0.04048 + 0.5 x 0.004445.
    const x86 = recommend(measured.map((m) => ({ ...m, architecture: "X86_64" as const })));
    expect(x86.saving?.perJobHourUsd).toBeCloseTo(0.0370275, 9);
  });

  it("uses the stack's size for jobs whose history records none, and the region given", () => {
    const measured = Array.from({ length: 10 }, (_, i) => ({ jobId: `j${i}`, peakMemoryMb: 300 }));
    const result = recommendSize({
      measurements: { measured, unmeasured: 0 },
      stackSize: { cpu: 512, memoryMib: 1024 },
      region: "us-east-1",
      pricesFor: (r) => pricesFor(r),
    });
    expect(result.current).toEqual({ cpu: 512, memoryMib: 1024 });
    expect(result.region).toBe("us-east-1");
    // 0.5 x 0.04048 + 1 x 0.004445 = 0.024685/h against 0.0123425/h: half.
    expect(result.saving?.percent).toBeCloseTo(50, 6);
  });

  it("compares with the size most jobs ran with, and counts the others", () => {
    const bigger = { ...measurement(300), size: { cpu: 2048, memoryMib: 4096 } };
    const result = recommend([...Array.from({ length: 9 }, () => measurement(300)), bigger]);
    expect(result.current).toEqual(ONE_VCPU_2GB);
    expect(result.otherSizes).toBe(1);
  });

  it("is, for any measurements, a valid Fargate size covering the need, with at most 5% over its memory", () => {
    const measurementArb = fc.record({
      peakMemoryMb: fc.double({ min: 1, max: 110_000, noNaN: true }),
      vcpusUsed: fc.option(fc.double({ min: 0, max: 14, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(measurementArb, { minLength: MIN_MEASURED_JOBS, maxLength: 200 }), (rows) => {
        const measured = rows.map((r, i) => ({
          jobId: `j${i}`,
          peakMemoryMb: r.peakMemoryMb,
          ...(r.vcpusUsed === undefined ? {} : { vcpusUsed: r.vcpusUsed }),
        }));
        const measurements: Measurements = { measured, unmeasured: 0 };
        const result = recommendSize({ measurements, pricesFor: () => undefined });
        const need = result.need;
        if (need === undefined) throw new Error("a need is computed from 10 jobs or more");
        if (result.recommended === undefined) {
          // Only when nothing on the table covers it.
          expect(need.memoryNeededMib > 122_880 || need.vcpusNeeded > 16).toBe(true);
          return;
        }
        const { cpu, memoryMib } = result.recommended;
        expect(fargateSizeProblem(cpu, memoryMib)).toBeUndefined();
        expect(memoryMib).toBeGreaterThanOrEqual(need.memoryNeededMib);
        expect(cpu).toBeGreaterThanOrEqual(need.vcpusNeeded * 1024);
        expect(need.memoryNeededMib).toBeCloseTo(need.peakMemoryP95Mb * (1 + MEMORY_HEADROOM), 6);
        const allowed = measured.length - Math.ceil((SIZE_PERCENTILE / 100) * measured.length);
        expect(result.wouldRunOutOfMemory).toBeLessThanOrEqual(allowed);
        // And it is the smallest: the next smaller CPU size cannot hold both.
        const smaller = FARGATE_CPU_SIZES.filter((c) => c < cpu);
        for (const c of smaller) {
          const fits =
            c >= need.vcpusNeeded * 1024 && fargateMemoryOptions(c).some((m) => m >= need.memoryNeededMib);
          expect(fits).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
