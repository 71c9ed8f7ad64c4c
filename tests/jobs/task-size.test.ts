// The size ladder an attempt that ran out of memory climbs, checked against AWS's whole table of valid
// Fargate CPU/memory combinations, for several caps.

import { describe, expect, it } from "vitest";
import {
  describeTaskSize,
  FARGATE_MAX_MEMORY_MIB,
  fargateMemoryOptions,
  fargateSizes,
  fitTaskSize,
  isFargateSize,
  nextTaskSize,
  type TaskSize,
} from "../../jobs/model/task-size";

const CAPS = [2048, 4096, 5000, 8192, 16384, 30720, 61440, FARGATE_MAX_MEMORY_MIB];

describe("the Fargate table", () => {
  it("holds AWS's combinations: 74 sizes from 0.25 vCPU 0.5 GiB to 16 vCPU 120 GiB", () => {
    const sizes = fargateSizes();
    expect(sizes).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12);
    expect(sizes[0]).toEqual({ cpu: 256, memoryMib: 512 });
    expect(sizes.at(-1)).toEqual({ cpu: 16384, memoryMib: FARGATE_MAX_MEMORY_MIB });
  });
});

describe("nextTaskSize, for every valid Fargate size and cap", () => {
  const cases = fargateSizes().flatMap((size) => CAPS.map((cap) => ({ size, cap })));

  it.each(cases)("$size.cpu/$size.memoryMib under $cap MiB", ({ size, cap }) => {
    const next = nextTaskSize(size, cap);
    const larger = fargateSizes().filter(
      (other) => other.cpu >= size.cpu && other.memoryMib > size.memoryMib && other.memoryMib <= cap,
    );
    if (size.memoryMib >= cap || larger.length === 0) {
      expect(next).toBeUndefined();
      return;
    }
    if (next === undefined) throw new Error("expected a next size");
    expect(isFargateSize(next)).toBe(true);
    expect(next.memoryMib).toBeLessThanOrEqual(cap);
    expect(next.cpu).toBeGreaterThanOrEqual(size.cpu);
    const doubled = larger.filter((other) => other.memoryMib >= 2 * size.memoryMib);
    if (doubled.length > 0) {
      // The smallest memory of at least twice the current one.
      expect(next.memoryMib).toBe(Math.min(...doubled.map((other) => other.memoryMib)));
    } else {
      // Doubling overshoots the cap: the largest size within it.
      expect(next.memoryMib).toBe(Math.max(...larger.map((other) => other.memoryMib)));
    }
    // CPU raised only when the memory requires it, and then to the smallest CPU that takes it.
    if (fargateMemoryOptions(size.cpu).includes(next.memoryMib)) expect(next.cpu).toBe(size.cpu);
    else
      expect(next.cpu).toBe(
        Math.min(
          ...fargateSizes()
            .filter((other) => other.cpu > size.cpu && other.memoryMib === next.memoryMib)
            .map((other) => other.cpu),
        ),
      );
  });
});

describe("nextTaskSize, examples", () => {
  const ladder = (start: TaskSize, cap: number): string[] => {
    const rungs = [describeTaskSize(start)];
    for (let size = nextTaskSize(start, cap); size !== undefined; size = nextTaskSize(size, cap))
      rungs.push(describeTaskSize(size));
    return rungs;
  };

  it("doubles the memory and keeps the CPU while it takes the memory", () => {
    expect(ladder({ cpu: 1024, memoryMib: 2048 }, 8192)).toEqual([
      "1 vCPU 2 GiB",
      "1 vCPU 4 GiB",
      "1 vCPU 8 GiB",
    ]);
  });

  it("raises the CPU to the smallest that takes the memory", () => {
    expect(nextTaskSize({ cpu: 256, memoryMib: 2048 }, 16384)).toEqual({ cpu: 512, memoryMib: 4096 });
    expect(nextTaskSize({ cpu: 1024, memoryMib: 8192 }, 16384)).toEqual({ cpu: 2048, memoryMib: 16384 });
    expect(nextTaskSize({ cpu: 4096, memoryMib: 30720 }, FARGATE_MAX_MEMORY_MIB)).toEqual({
      cpu: 8192,
      memoryMib: 61440,
    });
  });

  it("stops at the largest size within the cap when doubling overshoots it", () => {
    expect(nextTaskSize({ cpu: 1024, memoryMib: 4096 }, 6000)).toEqual({ cpu: 1024, memoryMib: 5120 });
    expect(nextTaskSize({ cpu: 512, memoryMib: 4096 }, 5000)).toBeUndefined();
  });

  it("has no next size at or above the cap, nor past Fargate's largest", () => {
    expect(nextTaskSize({ cpu: 1024, memoryMib: 8192 }, 8192)).toBeUndefined();
    expect(
      nextTaskSize({ cpu: 16384, memoryMib: FARGATE_MAX_MEMORY_MIB }, FARGATE_MAX_MEMORY_MIB),
    ).toBeUndefined();
  });

  it("reads as people say it", () => {
    expect(describeTaskSize({ cpu: 2048, memoryMib: 8192 })).toBe("2 vCPU 8 GiB");
    expect(describeTaskSize({ cpu: 256, memoryMib: 512 })).toBe("0.25 vCPU 0.5 GiB");
  });
});

describe("fitTaskSize: a job's grown size within the stack's bounds as they are now", () => {
  const least = { cpu: 1024, memoryMib: 2048 };
  it("keeps a size within the bounds", () => {
    expect(fitTaskSize({ cpu: 1024, memoryMib: 4096 }, least, 8192)).toEqual({ cpu: 1024, memoryMib: 4096 });
  });
  it("raises a size below the task definition's to it", () => {
    expect(fitTaskSize({ cpu: 512, memoryMib: 1024 }, least, 8192)).toEqual(least);
  });
  it("lowers a size above maxWorkerMemoryMb to the largest valid size within it", () => {
    expect(fitTaskSize({ cpu: 2048, memoryMib: 16384 }, least, 8192)).toEqual({ cpu: 1024, memoryMib: 8192 });
    expect(fitTaskSize({ cpu: 2048, memoryMib: 16384 }, least, 10000)).toEqual({
      cpu: 2048,
      memoryMib: 9216,
    });
  });
  it("gives a valid Fargate size for every size and cap of the table", () => {
    for (const size of fargateSizes())
      for (const cap of [2048, 4096, 8192, 30720, 122880])
        expect(isFargateSize(fitTaskSize(size, least, cap))).toBe(true);
  });
});
