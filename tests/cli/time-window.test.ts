// Time windows on the command line: relative durations, UTC dates and date-times, and the errors.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/errors";
import { parseTime, parseWindow, utcDaysIn } from "../../cli/time-window";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const at = (text: string, bound: "start" | "end" = "start") =>
  parseTime(text, NOW, "--since", bound).toISOString();

describe("parseTime", () => {
  it("counts durations back from now", () => {
    expect(at("30m")).toBe("2026-11-26T11:30:00.000Z");
    expect(at("2h")).toBe("2026-11-26T10:00:00.000Z");
    expect(at("7d")).toBe("2026-11-19T12:00:00.000Z");
    expect(at("1w")).toBe("2026-11-19T12:00:00.000Z");
    expect(at("90s")).toBe("2026-11-26T11:58:30.000Z");
    expect(at("1.5h")).toBe("2026-11-26T10:30:00.000Z");
    expect(at("now")).toBe(NOW.toISOString());
  });

  it("reads a date as a UTC day: its start for --since, its end for --until", () => {
    expect(at("2026-11-01")).toBe("2026-11-01T00:00:00.000Z");
    expect(at("2026-11-01", "end")).toBe("2026-11-01T23:59:59.999Z");
  });

  it("reads date-times, UTC unless a zone is given", () => {
    expect(at("2026-11-01T10:00")).toBe("2026-11-01T10:00:00.000Z");
    expect(at("2026-11-01 10:00:30Z")).toBe("2026-11-01T10:00:30.000Z");
    expect(at("2026-11-01T10:00:00.250+02:00")).toBe("2026-11-01T08:00:00.250Z");
  });

  it.each(["yesterday", "2h30m", "-2h", "2026-13-01", "2026-02-30", "10:00", "", "3 days"])(
    "refuses %j with the accepted formats",
    (text) => {
      expect(() => at(text)).toThrow(UsageError);
      expect(() => at(text)).toThrow(/invalid time for --since/);
    },
  );
});

describe("parseWindow", () => {
  it("defaults the start to the span before the end, or to no window at all", () => {
    expect(parseWindow({}, NOW, "24h")).toEqual({
      from: "2026-11-25T12:00:00.000Z",
      to: "2026-11-26T12:00:00.000Z",
    });
    expect(parseWindow({ until: "2026-11-20" }, NOW, "24h")).toEqual({
      from: "2026-11-19T23:59:59.999Z",
      to: "2026-11-20T23:59:59.999Z",
    });
    expect(parseWindow({}, NOW)).toBeUndefined();
    expect(parseWindow({ since: "1h" }, NOW)).toEqual({
      from: "2026-11-26T11:00:00.000Z",
      to: NOW.toISOString(),
    });
  });

  it("refuses a window that ends before it starts", () => {
    expect(() => parseWindow({ since: "2026-11-02", until: "2026-11-01" }, NOW)).toThrow(
      /invalid time window: --since \(2026-11-02T00:00:00.000Z\) is after --until/,
    );
  });

  it("counts the UTC days a window touches", () => {
    expect(utcDaysIn({ from: "2026-11-01T23:00:00.000Z", to: "2026-11-02T01:00:00.000Z" })).toBe(2);
    expect(utcDaysIn({ from: "2026-11-01T00:00:00.000Z", to: "2026-11-01T23:59:59.999Z" })).toBe(1);
  });
});
