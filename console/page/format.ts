// How the page writes times, durations, sizes and money: one format each, everywhere (UTC times, like the
// jobs CLI's).

export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return "-";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, "0")}s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(3)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function describeSize(size: { cpu: number; memoryMib: number } | undefined): string {
  if (size === undefined) return "task definition's size";
  const vcpu = size.cpu / 1024;
  const gib = size.memoryMib / 1024;
  return `${vcpu} vCPU, ${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

export function describeCapacity(capacity: string | undefined): string {
  return capacity === "FARGATE_SPOT" ? "Spot" : "On-Demand";
}

export { inputName } from "../../cli/input-name";
