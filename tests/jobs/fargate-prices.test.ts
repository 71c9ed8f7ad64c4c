// The per-region price table (jobs/model/fargate-prices.ts) beyond us-east-1: costs in other regions against
// hand-computed cases, a price a region's entry lacks recorded as no cost (never guessed), a region's own Spot
// price before the discount, the stack's override (Spot prices included), and every entry well formed.

import { describe, expect, it } from "vitest";
import { attemptCost, type CostSettings, type TaskResources } from "../../jobs/model/cost";
import {
  chargedRates,
  FARGATE_PRICE_TABLE,
  fargatePricesSchema,
  parseFargatePrices,
  pricesFor,
} from "../../jobs/model/fargate-prices";

const PULL = "2026-11-30T10:00:00.000Z";
const stopAfter = (seconds: number) => ({
  pullStartedAt: PULL,
  stoppedAt: new Date(Date.parse(PULL) + seconds * 1000).toISOString(),
});
const arn = (region: string) => `arn:aws:ecs:${region}:111122223333:task/video-jobs/abc`;
const oneVcpu: TaskResources = { cpuUnits: 1024, memoryMib: 2048 };
const x86 = { architecture: "X86_64" } as const;
const arm = { architecture: "ARM64" } as const;
const cost = (region: string, seconds: number, resources: TaskResources, settings: CostSettings = x86) =>
  attemptCost({ taskArn: arn(region), timings: stopAfter(seconds), resources }, settings);

describe("the cost of an attempt outside us-east-1", () => {
  it("eu-west-2 x86, 1 vCPU 2 GB, 10 minutes: (0.04656 + 2 x 0.00511) / 6", () => {
    expect(cost("eu-west-2", 600, oneVcpu)).toMatchObject({
      usd: 0.009463333,
      prices: { region: "eu-west-2", asOf: "2026-11-30", vcpuHour: 0.04656, gbHour: 0.00511 },
    });
  });

  it("eu-west-2 ARM and storage: one hour, 50 GiB: 0.03725 + 2 x 0.00409 + 30 x 0.000129", () => {
    const resources = { ...oneVcpu, ephemeralStorageGib: 50 };
    expect(cost("eu-west-2", 3600, resources, arm)?.usd).toBe(0.0493); // 0.03725 + 0.00818 + 0.00387
  });

  it("ap-northeast-1 x86 and ARM: 0.05056 + 2 x 0.00553 and 0.04045 + 2 x 0.00442 an hour", () => {
    expect(cost("ap-northeast-1", 3600, oneVcpu)?.usd).toBe(0.06162);
    expect(cost("ap-northeast-1", 3600, oneVcpu, arm)?.usd).toBe(0.04929);
  });

  it("records no cost for a price the region's entry lacks: ARM in eu-central-1, storage past 20 GiB", () => {
    expect(cost("eu-central-1", 3600, oneVcpu)?.usd).toBe(0.05678); // x86 is known
    expect(cost("eu-central-1", 3600, oneVcpu, arm)).toBeUndefined();
    expect(cost("eu-central-1", 3600, { ...oneVcpu, ephemeralStorageGib: 21 })).toBeUndefined();
    const within = cost("eu-central-1", 3600, { ...oneVcpu, ephemeralStorageGib: 20 });
    expect(within?.usd).toBe(0.05678);
    expect(within?.prices.storageGbHour).toBeUndefined();
  });

  it("Spot in ap-southeast-2 uses the region's Spot price: (0.014568 + 2 x 0.001596) / 6", () => {
    const spot = { ...oneVcpu, capacityProviderName: "FARGATE_SPOT" };
    const result = cost("ap-southeast-2", 600, spot);
    expect(result).toMatchObject({
      usd: 0.00296,
      capacityProvider: "FARGATE_SPOT",
      prices: { vcpuHour: 0.014568, gbHour: 0.001596 },
    });
    expect(result?.prices.source).toContain("; Spot: ");
    // No ARM Spot price there: ARM On-Demand less 70 %: (0.011655 + 2 x 0.001278) / 6.
    expect(cost("ap-southeast-2", 600, spot, arm)).toMatchObject({
      usd: 0.0023685,
      prices: { vcpuHour: 0.011655, gbHour: 0.001278 },
    });
  });

  it("Spot elsewhere is the On-Demand price less the discount: sa-east-1 x86 0.0696 x 0.3", () => {
    const spot = { ...oneVcpu, capacityProviderName: "FARGATE_SPOT" };
    expect(cost("sa-east-1", 3600, spot)?.prices).toMatchObject({ vcpuHour: 0.02088, gbHour: 0.00228 });
  });
});

describe("the stack's override", () => {
  const override = {
    asOf: "2026-11-01",
    source: "our rates",
    x86: { vcpuHour: 0.05, gbHour: 0.005 },
    arm: { vcpuHour: 0.04, gbHour: 0.004 },
    spotDiscount: 0.5,
    spot: { asOf: "2026-11-20", source: "the console", x86: { vcpuHour: 0.02, gbHour: 0.002 } },
    storageGbHour: 0.0001,
  };

  it("replaces a region's entry, and its Spot price is used", () => {
    const prices = parseFargatePrices(JSON.stringify(override));
    expect(cost("eu-west-2", 3600, oneVcpu, { ...x86, prices })?.usd).toBe(0.06);
    const spot = { ...oneVcpu, capacityProviderName: "FARGATE_SPOT" };
    expect(cost("eu-west-2", 3600, spot, { ...x86, prices })).toMatchObject({
      usd: 0.024,
      prices: { asOf: "2026-11-20", source: "our rates; Spot: the console" },
    });
    expect(cost("eu-west-2", 3600, spot, { ...arm, prices })?.usd).toBe(0.024); // (0.04 + 0.008) x 0.5
  });

  it("is complete: ARM and storage are required, an unknown key refused", () => {
    const { arm: _arm, ...withoutArm } = override;
    expect(() => parseFargatePrices(JSON.stringify(withoutArm))).toThrow(/arm/);
    expect(() => parseFargatePrices(JSON.stringify({ ...override, spot: { asOf: "x" } }))).toThrow(
      /spot.asOf/,
    );
    expect(() => parseFargatePrices(JSON.stringify({ ...override, windows: {} }))).toThrow();
  });
});

describe("the table", () => {
  it("has the regions a source was found for, each entry dated and sourced", () => {
    expect(Object.keys(FARGATE_PRICE_TABLE).sort()).toEqual([
      "ap-northeast-1",
      "ap-south-1",
      "ap-southeast-1",
      "ap-southeast-2",
      "ca-central-1",
      "eu-central-1",
      "eu-west-1",
      "eu-west-2",
      "sa-east-1",
      "us-east-1",
      "us-east-2",
      "us-west-1",
      "us-west-2",
    ]);
    // Every entry is what the override schema accepts, once the prices it lacks are filled in.
    const partial = fargatePricesSchema.partial({ arm: true, storageGbHour: true });
    for (const [region, entry] of Object.entries(FARGATE_PRICE_TABLE)) {
      expect(partial.safeParse(entry).success, region).toBe(true);
      expect(entry.source.length, region).toBeGreaterThan(20);
      expect(pricesFor(region)).toBe(entry);
      // ARM, where known, is cheaper than x86: a transposed pair would show here.
      if (entry.arm !== undefined) expect(entry.arm.vcpuHour, region).toBeLessThan(entry.x86.vcpuHour);
      const spot = chargedRates(entry, "X86_64", true);
      expect(spot?.vcpuHour, region).toBeLessThan(entry.x86.vcpuHour);
    }
  });
});
