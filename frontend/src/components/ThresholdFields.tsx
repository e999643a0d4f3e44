import type { RiskLevel, ThresholdKind } from "../api/types";
import { THRESHOLD_KINDS, THRESHOLD_LEVELS, type ThresholdDraft } from "../lib/watch";

/** "Alert on": any change, level ≥ X or score ≥ N (the second control appears with its kind). */
export function ThresholdFields({
  draft,
  onChange,
  problem,
  problemId,
}: {
  draft: ThresholdDraft;
  onChange: (draft: ThresholdDraft) => void;
  problem: string | null;
  problemId: string;
}) {
  return (
    <>
      <label className="field">
        <span>Alert on</span>
        <select
          name="threshold_kind"
          value={draft.kind}
          onChange={(e) => onChange({ ...draft, kind: e.target.value as ThresholdKind })}
        >
          {THRESHOLD_KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      {draft.kind === "level" && (
        <label className="field">
          <span>Level</span>
          <select
            name="threshold_level"
            value={draft.level}
            onChange={(e) => onChange({ ...draft, level: e.target.value as RiskLevel })}
          >
            {THRESHOLD_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      )}
      {draft.kind === "score" && (
        <label className="field">
          <span>Score (0–100)</span>
          <input
            name="threshold_score"
            inputMode="numeric"
            size={5}
            value={draft.score}
            onChange={(e) => onChange({ ...draft, score: e.target.value })}
            aria-invalid={problem !== null}
            aria-describedby={problemId}
          />
        </label>
      )}
    </>
  );
}
