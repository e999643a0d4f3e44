import { useEffect, useState } from "react";

import type { AnalysisResponse } from "../api/types";
import { shortAddress } from "../lib/address";
import styles from "./ProgressView.module.css";

export const AGENTS: { name: string; title: string; does: string }[] = [
  {
    name: "heuristic",
    title: "Contract checks",
    does: "reads the code, simulates a buy, a transfer and a sell, and executes the owner's powers",
  },
  { name: "ml", title: "ML model", does: "compares the bytecode with known scam contracts" },
  { name: "smart_money", title: "Smart money", does: "who holds and trades the token: smart wallets, the largest holders, the deployer's own wallets" },
];

type StepState = "queued" | "running" | "OK" | "DEGRADED" | "FAILED" | "not reported";

/** The verdict's and the final agents' statuses once there, else what the agent itself recorded while
 * the workflow runs (the API's `progress`), else queued/running from the analysis's status. */
export function agentState(analysis: AnalysisResponse, agent: string): StepState {
  const summary = analysis.agents.find((a) => a.agent === agent);
  const final = analysis.result?.agent_statuses?.[agent] ?? summary?.status;
  if (final) return final;
  const live = analysis.progress.find((p) => p.agent === agent);
  if (live?.state === "done" && live.status) return live.status;
  if (analysis.status === "PENDING") return "queued";
  if (analysis.status === "RUNNING") return "running";
  return "not reported";
}

const LABEL: Record<StepState, string> = {
  queued: "Queued",
  running: "Running…",
  OK: "Done",
  DEGRADED: "Done, partly",
  FAILED: "Failed",
  "not reported": "Not reported",
};

const FINISHED: ReadonlySet<StepState> = new Set(["OK", "DEGRADED", "FAILED"]);

function seconds(ms: number | null | undefined): string | null {
  return typeof ms === "number" ? `${(ms / 1000).toFixed(1)} s` : null;
}

function useElapsed(since: string): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, Math.round((now - new Date(since).getTime()) / 1000));
}

export function ProgressView({
  analysis,
  gaveUp = false,
  onCheckAgain,
}: {
  analysis: AnalysisResponse;
  gaveUp?: boolean;
  onCheckAgain?: () => void;
}) {
  const elapsed = useElapsed(analysis.created_at);
  const running = analysis.status === "PENDING" || analysis.status === "RUNNING";
  const done = AGENTS.filter((agent) => FINISHED.has(agentState(analysis, agent.name))).length;
  return (
    <section className="stack" aria-labelledby="progress-title">
      {running && (
        <>
          <h1 id="progress-title">Analysing {shortAddress(analysis.token_address)}</h1>
          <p className="lead" role="status" aria-live="polite">
            {analysis.status === "PENDING" && done === 0 ? "Queued" : "The agents are working"} · {done} of{" "}
            {AGENTS.length} agents done · {elapsed} s elapsed
          </p>
        </>
      )}
      {!running && <h2 id="progress-title">Agents</h2>}
      <ol className={styles.steps}>
        {AGENTS.map((agent) => {
          const state = agentState(analysis, agent.name);
          const summary = analysis.agents.find((a) => a.agent === agent.name);
          const took = FINISHED.has(state)
            ? seconds(summary?.duration_ms ?? analysis.progress.find((p) => p.agent === agent.name)?.duration_ms)
            : null;
          return (
            <li key={agent.name} className={styles.step} data-state={state}>
              <span className={styles.dot} aria-hidden="true" />
              <div>
                <strong>{agent.title}</strong>{" "}
                <span className={styles.state}>{LABEL[state]}</span>
                {took && <span className={styles.state}>· {took}</span>}
                <div className="hint">{agent.does}</div>
                {summary?.error && <div className="field-error">{summary.error}</div>}
                {state === "DEGRADED" && summary?.gaps && summary.gaps.length > 0 && (
                  <ul className="plain small" aria-label={`What ${agent.title} could not do`}>
                    {summary.gaps.map((gap) => (
                      <li key={gap}>{gap}</li>
                    ))}
                  </ul>
                )}
              </div>
            </li>
          );
        })}
        <li className={styles.step} data-state={running ? "queued" : analysis.status === "FAILED" ? "FAILED" : "OK"}>
          <span className={styles.dot} aria-hidden="true" />
          <div>
            <strong>Verdict</strong>{" "}
            <span className={styles.state}>{running ? "Waiting for the agents" : analysis.status === "FAILED" ? "Not produced" : "Ready"}</span>
            <div className="hint">merges the agents' findings into one explained risk level</div>
          </div>
        </li>
      </ol>
      {running && gaveUp && (
        <div role="alert" className="alert warning">
          <span>
            This is taking longer than usual ({elapsed} s). The analysis keeps running: check again, or find it later in
            your history.
          </span>
          {onCheckAgain && (
            <button type="button" className="button secondary small" onClick={onCheckAgain}>
              Check again
            </button>
          )}
        </div>
      )}
    </section>
  );
}
