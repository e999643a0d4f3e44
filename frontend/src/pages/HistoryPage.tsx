import { useInfiniteQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { useApi } from "../api/context";
import type { AnalysisSummary } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { LoadMore } from "../components/LoadMore";
import { CHAINS, shortAddress } from "../lib/address";
import { dateTime, LEVEL_ORDER, levelClass } from "../lib/format";
import { useTitle } from "../lib/useTitle";

const RiskOverTimeChart = lazy(() => import("../components/charts").then((m) => ({ default: m.RiskOverTimeChart })));

export const PAGE_SIZE = 20;
const AUTO_PAGES = 5;

/** Tokens analysed more than once with a score, oldest point first: the series for "risk over time". */
export function repeatedTokens(items: AnalysisSummary[]): Map<string, AnalysisSummary[]> {
  const byToken = new Map<string, AnalysisSummary[]>();
  for (const item of items) {
    if (item.risk_score === null || item.risk_score === undefined) continue;
    const key = `${item.chain}:${item.token_address.toLowerCase()}`;
    byToken.set(key, [...(byToken.get(key) ?? []), item]);
  }
  for (const [key, list] of byToken) {
    if (list.length < 2) byToken.delete(key);
    else list.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
  return byToken;
}

export function HistoryPage() {
  const api = useApi();
  useTitle("History");
  // The filters live in the URL (?chain=&level=): shareable, and Back restores them.
  const [params, setParams] = useSearchParams();
  const chain = CHAINS.find((c) => c.value === params.get("chain"))?.value;
  const level = LEVEL_ORDER.find((l) => l === params.get("level"));
  const filtered = Boolean(chain || level);
  const setFilter = (name: "chain" | "level", value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  // The API filters (GET /analysis/history?chain=&level=), so every page holds only matches.
  const query = useInfiniteQuery({
    queryKey: ["history", chain ?? "", level ?? ""],
    queryFn: ({ pageParam }) => api.history(pageParam, PAGE_SIZE, { chain, level }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  // A filtered page can come back short (the API bounds what one call reads): fill the first screen,
  // following at most AUTO_PAGES pages on its own ("Load more" goes on from there).
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const pagesLoaded = query.data?.pages.length ?? 0;
  useEffect(() => {
    if (filtered && hasNextPage && !isFetchingNextPage && items.length < PAGE_SIZE && pagesLoaded < AUTO_PAGES) {
      void fetchNextPage();
    }
  }, [filtered, hasNextPage, isFetchingNextPage, fetchNextPage, items.length, pagesLoaded]);
  // Risk over time needs every level of a token: it is drawn only when no level filter hides some.
  const repeated = useMemo(() => (level ? new Map<string, AnalysisSummary[]>() : repeatedTokens(items)), [items, level]);
  const [selected, setSelected] = useState("");
  const seriesKey = selected && repeated.has(selected) ? selected : [...repeated.keys()][0];
  const series = seriesKey ? repeated.get(seriesKey) : undefined;

  return (
    <div className="stack">
      <h1>Your analyses</h1>
      <div className="row wrap" role="group" aria-label="Filters">
        <label className="field">
          <span>Chain</span>
          <select value={chain ?? ""} onChange={(e) => setFilter("chain", e.target.value)}>
            <option value="">All chains</option>
            {CHAINS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Level</span>
          <select value={level ?? ""} onChange={(e) => setFilter("level", e.target.value)}>
            <option value="">All levels</option>
            {LEVEL_ORDER.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      {query.isPending && <p role="status">Loading your analyses…</p>}
      {query.isSuccess && items.length === 0 && !query.hasNextPage && !filtered && (
        <p>
          No analyses yet. <Link to="/">Analyse your first token</Link>.
        </p>
      )}
      {query.isSuccess && items.length === 0 && !query.hasNextPage && filtered && (
        <p>No analysis matches these filters.</p>
      )}
      {filtered && items.length === 0 && query.hasNextPage && !query.isFetchingNextPage && pagesLoaded >= AUTO_PAGES && (
        <p>Nothing matches these filters in your most recent analyses: load more to search older ones.</p>
      )}
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Analyses, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Chain</th>
                <th scope="col">Status</th>
                <th scope="col">Risk</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.task_id}>
                  <td>
                    <Link to={`/analyses/${a.task_id}`} className="mono">
                      {shortAddress(a.token_address)}
                    </Link>
                  </td>
                  <td>{CHAINS.find((c) => c.value === a.chain)?.label ?? a.chain}</td>
                  <td>{a.status.toLowerCase()}</td>
                  <td>
                    {a.risk_level ? (
                      <span className={`level-pill ${levelClass(a.risk_level)}`}>
                        {a.risk_score ?? "–"} {a.risk_level}
                      </span>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{dateTime(a.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore query={query} />
      {level && items.length > 1 && (
        <p className="hint">Risk over time is drawn when no level filter hides some of a token's analyses.</p>
      )}
      {series && seriesKey && (
        <section className="card stack" aria-labelledby="over-time-title">
          <h2 id="over-time-title">Risk over time</h2>
          {repeated.size > 1 && (
            <label className="field">
              <span>Token</span>
              <select value={seriesKey} onChange={(e) => setSelected(e.target.value)}>
                {[...repeated.entries()].map(([key, list]) => (
                  <option key={key} value={key}>
                    {shortAddress(list[0]!.token_address)} ({list[0]!.chain}, {list.length} analyses)
                  </option>
                ))}
              </select>
            </label>
          )}
          <Suspense fallback={<p className="hint">Loading the chart…</p>}>
            <RiskOverTimeChart
              label={`Risk score of ${shortAddress(series[0]!.token_address)}`}
              points={series.map((a) => ({
                when: new Date(a.created_at).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" }),
                score: a.risk_score ?? 0,
                level: a.risk_level ?? "",
              }))}
            />
          </Suspense>
        </section>
      )}
    </div>
  );
}
