import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { useApi } from "../api/context";
import type { AnalysisResponse } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { ProgressView } from "../components/ProgressView";
import { ResultView } from "../components/ResultView";
import { useTitle } from "../lib/useTitle";

/** How long we keep polling before saying it takes longer than usual (and offering to check again). */
export const POLL_DEADLINE_MS = 180_000;

/** Poll every 0.5 s at first, then back off by 1.5× up to 5 s. */
export function pollDelay(attempt: number): number {
  return Math.min(5_000, Math.round(500 * 1.5 ** attempt));
}

export function isFinal(analysis: AnalysisResponse | undefined): boolean {
  return analysis?.status === "COMPLETED" || analysis?.status === "FAILED";
}

export function AnalysisPage() {
  const { taskId = "" } = useParams();
  const api = useApi();
  const [deadline, setDeadline] = useState(() => Date.now() + POLL_DEADLINE_MS);
  const [gaveUp, setGaveUp] = useState(false);
  const query = useQuery({
    queryKey: ["analysis", taskId],
    queryFn: () => api.analysis(taskId),
    refetchInterval: (q) => {
      if (isFinal(q.state.data) || q.state.error || gaveUp) return false;
      return pollDelay(q.state.dataUpdateCount);
    },
    staleTime: (q) => (isFinal(q.state.data) ? Infinity : 0),
  });

  useEffect(() => {
    if (isFinal(query.data) || gaveUp) return;
    const timer = window.setTimeout(() => setGaveUp(true), Math.max(0, deadline - Date.now()));
    return () => window.clearTimeout(timer);
  }, [query.data, gaveUp, deadline]);

  const symbol = query.data?.result?.token?.symbol;
  useTitle(
    query.data?.status === "COMPLETED"
      ? `${typeof symbol === "string" ? symbol : "Token"}: ${query.data.risk_level ?? "no level"}`
      : "Analysis",
  );

  if (query.error) {
    return (
      <div className="stack">
        <h1>Analysis</h1>
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
        <p>
          <Link to="/history">Back to your history</Link>
        </p>
      </div>
    );
  }
  const analysis = query.data;
  if (analysis === undefined) {
    return (
      <p role="status" aria-live="polite">
        Loading the analysis…
      </p>
    );
  }
  if (analysis.status === "COMPLETED" && analysis.result) return <ResultView analysis={analysis} />;
  if (analysis.status === "FAILED") {
    return (
      <div className="stack">
        <h1>The analysis failed</h1>
        <div role="alert" className="alert error">
          {analysis.error && typeof analysis.error.message === "string"
            ? analysis.error.message
            : "The workflow stopped before it produced a verdict."}
        </div>
        <ProgressView analysis={analysis} />
        <p>
          <Link to="/">Try again</Link> — analyses that fail are not counted as a verdict.
        </p>
      </div>
    );
  }
  return (
    <ProgressView
      analysis={analysis}
      gaveUp={gaveUp}
      onCheckAgain={() => {
        setDeadline(Date.now() + 60_000);
        setGaveUp(false);
        void query.refetch();
      }}
    />
  );
}
