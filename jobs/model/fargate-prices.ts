// The Fargate price table the cost of each attempt is computed with (cost.ts): dated, per region, with its
// sources, in the repository so a job's recorded cost can be traced to the prices it used. Stack config
// (`fargatePrices`) replaces the entry of the stack's region; a region with no entry and no override records
// no cost, and so does an attempt needing a price its region's entry lacks (ARM, extra storage).

import { z } from "zod";

/** USD per vCPU-hour and per GB-hour of memory. */
export interface FargateRate {
  readonly vcpuHour: number;
  readonly gbHour: number;
}

/**
 * USD prices of one region. Only figures a source states are entered: an architecture or storage price no
 * source gave is absent, and an attempt that needs it records no cost rather than a guessed one.
 */
export interface FargatePrices {
  /** The day the prices were read (YYYY-MM-DD); the sources' own dates are in `source`. */
  readonly asOf: string;
  /** Where they were read. */
  readonly source: string;
  /** Linux on x86_64: per vCPU-hour and per GB-hour of memory. */
  readonly x86: FargateRate;
  /** Linux on ARM64 (Graviton); absent when no source gave the region's: an ARM task records no cost. */
  readonly arm?: FargateRate;
  /** Fraction off vCPU and memory on FARGATE_SPOT (0.7 = 70 % off), when `spot` has no price. */
  readonly spotDiscount: number;
  /** The region's FARGATE_SPOT prices, when a source gave them: they move with supply, so they carry a date. */
  readonly spot?: {
    readonly asOf: string;
    readonly source: string;
    readonly x86?: FargateRate;
    readonly arm?: FargateRate;
  };
  /**
   * Per GB-hour of ephemeral storage above the free 20 GiB (not discounted on Spot); absent when no source gave
   * the region's: an attempt with more than 20 GiB records no cost, one within them is unaffected.
   */
  readonly storageGbHour?: number;
}

/** Ephemeral storage every Fargate task gets without charge. */
export const FREE_EPHEMERAL_STORAGE_GIB = 20;

/** The 70 % Spot discount AWS's pricing page gives as its upper figure: the fallback where no Spot price is known. */
const SPOT_DISCOUNT = 0.7;

// us-east-1, read 2026-11-29. https://aws.amazon.com/fargate/pricing/ states the billing rules (per second,
// from the start of the image pull until the task stops, 1-minute minimum) and "up to a 70% discount" for
// Fargate Spot; it renders its per-region numbers with JavaScript, so the us-east-1 numbers are as quoted from
// it by vantage.sh/blog/fargate-pricing and wring.co/blog/aws-fargate-pricing-guide (March 2026): Linux/x86
// $0.04048 per vCPU-hour and $0.004445 per GB-hour; Linux/ARM $0.03238 and $0.00356; ephemeral storage
// $0.000111 per GB-hour above 20 GB.
//
// The other regions, read 2026-11-30 from public sources found by search (none is AWS's page itself, which
// the stored copies cannot render). Each entry names its sources; where two or more agree, they are named
// together. "fgcalc" is github.com/theuves/fgcalc src/utils/data.js, a calculator whose On-Demand x86 prices
// "were extracted from the official AWS Fargate documentation" (undated; its us-east-1 figures equal today's).
// Figures AWS's Price List API gives are quoted with their usage type where the source does. No source gave
// ephemeral storage outside us-east-1, us-east-2 and eu-west-2, nor ARM in us-west-1, us-west-2, eu-central-1,
// ap-south-1 and ca-central-1: those fields are absent. Spot: one region's price is entered, where two sources
// agree; elsewhere the 70 % discount stands (sa-east-1's two sources disagree, see its entry).
const FGCALC = "github.com/theuves/fgcalc src/utils/data.js (undated)";
export const FARGATE_PRICE_TABLE: Readonly<Record<string, FargatePrices>> = {
  "us-east-1": {
    asOf: "2026-11-29",
    source: "https://aws.amazon.com/fargate/pricing/ (us-east-1, as quoted by vantage.sh, March 2026)",
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spotDiscount: SPOT_DISCOUNT,
    storageGbHour: 0.000111,
  },
  "us-east-2": {
    asOf: "2026-11-30",
    source: `Price List API usage types USE2-Fargate-* as recorded in a public notes file on the AWS Pricing Calculator's Fargate module (captured 2026-05-11); x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spotDiscount: SPOT_DISCOUNT,
    storageGbHour: 0.000111,
  },
  "us-west-1": {
    asOf: "2026-11-30",
    source: `${FGCALC} (one source)`,
    x86: { vcpuHour: 0.04656, gbHour: 0.00511 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "us-west-2": {
    asOf: "2026-11-30",
    source: `${FGCALC}; the same in github.com/mo7amedgom3a/arch-visualizer (Fargate rates "as of 2024")`,
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "eu-west-1": {
    asOf: "2026-11-30",
    source: `Price List API SKUs K4EXFQ5YFQCP98EN, UP5ETC3QSW2QZGEY (EU-Fargate-vCPU-Hours, -GB-Hours), KXC9CEUQGJQPNZPY, MGJ5EB5GSHR8QZDF (EU-Fargate-ARM-*) as quoted in a public review's appendix; x86 also ${FGCALC} and tomgregory.com/aws-fargate-spot-vs-fargate-price-comparison`,
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "eu-west-2": {
    asOf: "2026-11-30",
    source: `London price list (EUW2-Fargate-vCPU-Hours, -GB-Hours, -ARM-*, -EphemeralStorage-GB-Hours) as tabulated in a public cost profile; x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.04656, gbHour: 0.00511 },
    arm: { vcpuHour: 0.03725, gbHour: 0.00409 },
    spotDiscount: SPOT_DISCOUNT,
    storageGbHour: 0.000129,
  },
  "eu-central-1": {
    asOf: "2026-11-30",
    source: `a public rate card dated 2026-07-07 (EUC1-Fargate-vCPU-Hours:perCPU, EUC1-Fargate-GB-Hours); ${FGCALC}`,
    x86: { vcpuHour: 0.04656, gbHour: 0.00511 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "ap-northeast-1": {
    asOf: "2026-11-30",
    source: `Price List API (APN1-Fargate-*) as quoted, 2026-09-06, in a public architecture decision record; x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.05056, gbHour: 0.00553 },
    arm: { vcpuHour: 0.04045, gbHour: 0.00442 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "ap-southeast-1": {
    asOf: "2026-11-30",
    source: `Price List API (APS1-Fargate-*) as quoted, 2026-08-21, in two public design documents; x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.05056, gbHour: 0.00553 },
    arm: { vcpuHour: 0.04045, gbHour: 0.00442 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "ap-southeast-2": {
    asOf: "2026-11-30",
    source: `a public "AWS Cost Estimates" notes file (Sydney, from aws.amazon.com/fargate/pricing, undated); x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.04856, gbHour: 0.00532 },
    arm: { vcpuHour: 0.03885, gbHour: 0.00426 },
    spotDiscount: SPOT_DISCOUNT,
    spot: {
      asOf: "2026-11-30",
      source: `the same notes file and ${FGCALC} agree (x86 only; undated: Spot prices move)`,
      x86: { vcpuHour: 0.014568, gbHour: 0.001596 },
    },
  },
  "ap-south-1": {
    asOf: "2026-11-30",
    source: `${FGCALC} (one source)`,
    x86: { vcpuHour: 0.04256, gbHour: 0.004655 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "ca-central-1": {
    asOf: "2026-11-30",
    source: `${FGCALC}; the same in a public pricing tool's test data (CAN1-Fargate-vCPU-Hours:perCPU, CAN1-Fargate-GB-Hours)`,
    x86: { vcpuHour: 0.04456, gbHour: 0.004865 },
    spotDiscount: SPOT_DISCOUNT,
  },
  "sa-east-1": {
    // Spot: github.com/apoloferreira/basecode gives x86 $0.02337032/$0.00255193 (ARM $0.01870297/$0.00205498),
    // fgcalc x86 $0.0212609/$0.00232159: two undated snapshots that disagree, so the discount stands.
    asOf: "2026-11-30",
    source: `github.com/apoloferreira/basecode doc/custo02.md (from aws.amazon.com/pt/fargate/pricing, undated); x86 also ${FGCALC}`,
    x86: { vcpuHour: 0.0696, gbHour: 0.0076 },
    arm: { vcpuHour: 0.0557, gbHour: 0.00612 },
    spotDiscount: SPOT_DISCOUNT,
  },
};

const rate = z.object({ vcpuHour: z.number().nonnegative(), gbHour: z.number().nonnegative() });

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "asOf must be a date (YYYY-MM-DD)");

/** The shape stack config and the handler environment (FARGATE_PRICES) give an override in: complete. */
export const fargatePricesSchema = z.strictObject({
  asOf: date,
  source: z.string().min(1),
  x86: rate,
  arm: rate,
  spotDiscount: z.number().min(0).max(1),
  spot: z
    .strictObject({ asOf: date, source: z.string().min(1), x86: rate.optional(), arm: rate.optional() })
    .optional(),
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

/**
 * The vCPU and memory rates an attempt is charged: On-Demand; on Spot, the region's Spot price when one is
 * known, else On-Demand less the discount. Undefined when the region has no price for the architecture.
 */
export function chargedRates(
  prices: FargatePrices,
  architecture: "ARM64" | "X86_64",
  spot: boolean,
): (FargateRate & { readonly spotPrice: boolean }) | undefined {
  const arm = architecture === "ARM64";
  const spotRate = spot ? (arm ? prices.spot?.arm : prices.spot?.x86) : undefined;
  if (spotRate !== undefined) return { ...spotRate, spotPrice: true };
  const onDemand = arm ? prices.arm : prices.x86;
  if (onDemand === undefined) return undefined;
  const factor = spot ? 1 - prices.spotDiscount : 1;
  return { vcpuHour: onDemand.vcpuHour * factor, gbHour: onDemand.gbHour * factor, spotPrice: false };
}
