// The Fargate price table the cost of each attempt is computed with (cost.ts): dated, per region, in the
// repository so a job's recorded cost can be traced to the prices it used. Stack config (`fargatePrices`)
// replaces the entry of the stack's region; a region with no entry and no override records no cost.

import { z } from "zod";

/** USD prices of one region. Spot is a discount off the On-Demand vCPU and memory prices. */
export interface FargatePrices {
  /** The day the prices were read (YYYY-MM-DD). */
  readonly asOf: string;
  /** Where they were read. */
  readonly source: string;
  /** Linux on x86_64: per vCPU-hour and per GB-hour of memory. */
  readonly x86: { readonly vcpuHour: number; readonly gbHour: number };
  /** Linux on ARM64 (Graviton). */
  readonly arm: { readonly vcpuHour: number; readonly gbHour: number };
  /** Fraction off vCPU and memory on FARGATE_SPOT (0.7 = 70 % off). */
  readonly spotDiscount: number;
  /** Per GB-hour of ephemeral storage above the free 20 GiB (not discounted on Spot). */
  readonly storageGbHour: number;
}

/** Ephemeral storage every Fargate task gets without charge. */
export const FREE_EPHEMERAL_STORAGE_GIB = 20;

// Read 2026-11-29. https://aws.amazon.com/fargate/pricing/ states the billing rules (per second, from the
// start of the image pull until the task stops, 1-minute minimum) and "up to a 70% discount" for Fargate
// Spot; it renders its per-region numbers with JavaScript, so the us-east-1 numbers below are as quoted from
// it by vantage.sh/blog/fargate-pricing and wring.co/blog/aws-fargate-pricing-guide (March 2026):
// Linux/x86 $0.04048 per vCPU-hour and $0.004445 per GB-hour; Linux/ARM $0.03238 and $0.00356; ephemeral
// storage $0.000111 per GB-hour above 20 GB. Spot prices change with supply; 70 % off is AWS's own upper
// figure, so a Spot cost is an approximation (set `fargatePrices` to your region's current Spot rate).
export const FARGATE_PRICE_TABLE: Readonly<Record<string, FargatePrices>> = {
  "us-east-1": {
    asOf: "2026-11-29",
    source: "https://aws.amazon.com/fargate/pricing/ (us-east-1, as quoted by vantage.sh, March 2026)",
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spotDiscount: 0.7,
    storageGbHour: 0.000111,
  },
};

const rate = z.object({ vcpuHour: z.number().nonnegative(), gbHour: z.number().nonnegative() });

/** The shape stack config and the handler environment (FARGATE_PRICES) give an override in. */
export const fargatePricesSchema = z.strictObject({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "asOf must be a date (YYYY-MM-DD)"),
  source: z.string().min(1),
  x86: rate,
  arm: rate,
  spotDiscount: z.number().min(0).max(1),
  storageGbHour: z.number().nonnegative(),
});

/** Parses an override given as JSON; throws an error saying what is wrong. */
export function parseFargatePrices(json: string): FargatePrices {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error("must be a JSON object");
  }
  const result = fargatePricesSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "value"}: ${issue?.message}`);
  }
  return result.data;
}

/** The prices of a region: the override when there is one (it is the stack's own region), else the table's. */
export function pricesFor(region: string, override?: FargatePrices): FargatePrices | undefined {
  return override ?? FARGATE_PRICE_TABLE[region];
}
