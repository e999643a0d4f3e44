// Watchlist thresholds and alert destinations: what the forms hold, how they are checked before
// anything is sent (the API checks again), and how they read.
import type { AlertThreshold, Channel, RiskLevel, ThresholdKind } from "../api/types";

/** The levels a level threshold can name (UNKNOWN is refused by the API). */
export const THRESHOLD_LEVELS: RiskLevel[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

export const THRESHOLD_KINDS: { value: ThresholdKind; label: string }[] = [
  { value: "any_change", label: "Any change" },
  { value: "level", label: "Level at least…" },
  { value: "score", label: "Score at least…" },
];

/** A threshold as a form holds it (the score as typed). */
export interface ThresholdDraft {
  kind: ThresholdKind;
  level: RiskLevel;
  score: string;
}

export const DEFAULT_DRAFT: ThresholdDraft = { kind: "any_change", level: "HIGH", score: "70" };

export function draftOf(threshold: AlertThreshold): ThresholdDraft {
  return {
    kind: threshold.kind,
    level: threshold.level && threshold.level !== "UNKNOWN" ? threshold.level : DEFAULT_DRAFT.level,
    score: threshold.score === null || threshold.score === undefined ? DEFAULT_DRAFT.score : String(threshold.score),
  };
}

export function thresholdProblem(draft: ThresholdDraft): string | null {
  if (draft.kind !== "score") return null;
  const text = draft.score.trim();
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) return "The score is a whole number from 0 to 100.";
  return null;
}

/** The threshold to send; call only when thresholdProblem(draft) is null. */
export function toThreshold(draft: ThresholdDraft): AlertThreshold {
  if (draft.kind === "level") return { kind: "level", level: draft.level };
  if (draft.kind === "score") return { kind: "score", score: Number(draft.score.trim()) };
  return { kind: "any_change" };
}

export function describeThreshold(threshold: AlertThreshold): string {
  if (threshold.kind === "level" && threshold.level) return `Level ≥ ${threshold.level}`;
  if (threshold.kind === "score" && threshold.score !== null && threshold.score !== undefined) {
    return `Score ≥ ${threshold.score}`;
  }
  return "Any change";
}

// --- alert destinations ------------------------------------------------------------------------------

export const CHANNELS: { value: Channel; label: string; field: string; placeholder: string }[] = [
  { value: "webhook", label: "Webhook", field: "Webhook URL", placeholder: "https://example.com/moneygrow" },
  { value: "email", label: "Email", field: "Email address", placeholder: "you@example.com" },
  { value: "sms", label: "SMS", field: "Phone number (E.164)", placeholder: "+15551234567" },
];

// The API's own rules (shared/moneygrow/services/watchlist.py).
const EMAIL = /^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** What is sent: trimmed; a phone number without the spaces, dashes, dots and brackets people type. */
export function normaliseEndpoint(channel: Channel, input: string): string {
  const value = input.trim();
  return channel === "sms" ? value.replace(/[\s\-.()]/g, "") : value;
}

/** Why this destination cannot be sent, or null when it looks right. */
export function endpointProblem(channel: Channel, input: string): string | null {
  const value = normaliseEndpoint(channel, input);
  if (channel === "webhook") {
    if (value === "") return "Enter the URL MoneyGrow should POST alerts to.";
    if (value.length > 2048) return "The URL is longer than 2048 characters.";
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return "That is not a URL: it should look like https://example.com/moneygrow.";
    }
    // http is accepted by the local stack for a receiver on this machine only.
    const local = url.protocol === "http:" && LOOPBACK.has(url.hostname);
    if (url.protocol !== "https:" && !local) return "A webhook URL must start with https://.";
    if (url.username || url.password) return "A webhook URL cannot carry a user name or password.";
    return null;
  }
  if (channel === "email") {
    if (value === "") return "Enter the email address alerts should go to.";
    return EMAIL.test(value) ? null : "That is not an email address.";
  }
  if (value === "") return "Enter the phone number alerts should go to.";
  if (!value.startsWith("+")) return "Write the number in E.164 form: + and the country code, e.g. +15551234567.";
  return E164.test(value) ? null : "An E.164 number is + then 7 to 15 digits, the first not 0, e.g. +15551234567.";
}
