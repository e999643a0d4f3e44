import type { RiskLevel } from "../api/types";
import styles from "./RiskGauge.module.css";

const COLOURS: Record<RiskLevel, string> = {
  LOW: "var(--low)",
  MEDIUM: "var(--medium)",
  HIGH: "var(--high)",
  CRITICAL: "var(--critical)",
  UNKNOWN: "var(--unknown)",
};

/** A half-circle gauge from 0 to 100, filled to the score in its level's colour. */
export function RiskGauge({
  score,
  level,
  label = "Risk score",
  size = "large",
}: {
  score: number | null | undefined;
  level: RiskLevel | null | undefined;
  label?: string;
  size?: "large" | "small";
}) {
  const value = Math.max(0, Math.min(100, score ?? 0));
  const colour = COLOURS[level ?? "UNKNOWN"];
  // The arc's length is π·r; dash it to the score's share.
  const radius = 80;
  const length = Math.PI * radius;
  const filled = score === null || score === undefined ? 0 : (value / 100) * length;
  return (
    <figure
      className={`${styles.gauge} ${size === "small" ? styles.small : ""}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={score ?? undefined}
      aria-valuetext={score === null || score === undefined ? "no score" : `${score} of 100, ${level ?? "unknown"}`}
    >
      <svg viewBox="0 0 200 115" aria-hidden="true" focusable="false">
        <path d="M 20 100 A 80 80 0 0 1 180 100" className={styles.track} />
        <path
          d="M 20 100 A 80 80 0 0 1 180 100"
          className={styles.fill}
          stroke={colour}
          strokeDasharray={`${filled} ${length}`}
        />
        <text x="100" y="88" textAnchor="middle" className={styles.score}>
          {score ?? "–"}
        </text>
        <text x="100" y="108" textAnchor="middle" className={styles.scale}>
          of 100
        </text>
      </svg>
      <figcaption>
        <span className={styles.caption}>{label}</span>
        <span className={`level-pill ${`level-${(level ?? "unknown").toLowerCase()}`}`}>{level ?? "NO LEVEL"}</span>
      </figcaption>
    </figure>
  );
}
