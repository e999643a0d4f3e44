import type { RiskLevel } from "../api/types";

export const LEVEL_ORDER: RiskLevel[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];

export const LEVEL_TEXT: Record<RiskLevel, string> = {
  LOW: "Nothing found that lets anyone take, lock or dilute your tokens.",
  MEDIUM: "Something deserves a look, but no trap was found.",
  HIGH: "A privileged account can hurt holders, or some holders cannot trade.",
  CRITICAL: "A buyer is harmed now, or a privileged account was shown able to take or lock tokens.",
  UNKNOWN: "The contract checks could not run: no verdict rather than a false “safe”.",
};

export function percent(fraction: number | null | undefined, digits = 1): string {
  return fraction === null || fraction === undefined ? "n/a" : `${(fraction * 100).toFixed(digits)} %`;
}

export function humanize(identifier: string): string {
  const words = identifier.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function levelClass(level: string | null | undefined): string {
  return `level-${(level ?? "none").toLowerCase()}`;
}
