import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";

import { useApi } from "../api/context";
import type { Chain, Watch } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { TokenFields } from "../components/TokenFields";
import { LoadMore } from "../components/LoadMore";
import { ThresholdFields } from "../components/ThresholdFields";
import { addressProblem, CHAINS, shortAddress } from "../lib/address";
import { dateTime, levelClass } from "../lib/format";
import { useTitle } from "../lib/useTitle";
import {
  DEFAULT_DRAFT,
  describeThreshold,
  draftOf,
  thresholdProblem,
  toThreshold,
  type ThresholdDraft,
} from "../lib/watch";
import styles from "./Watch.module.css";

export const WATCH_PAGE_SIZE = 20;

const rowKey = (w: Pick<Watch, "chain" | "token_address">) => `${w.chain}:${w.token_address.toLowerCase()}`;
const chainLabel = (chain: Chain) => CHAINS.find((c) => c.value === chain)?.label ?? chain;

function nextRescan(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).getTime() <= Date.now() ? "Due now" : dateTime(iso);
}

export function WatchlistPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  useTitle("Watchlist");
  const list = useInfiniteQuery({
    queryKey: ["watchlist", "pages"],
    queryFn: ({ pageParam }) => api.watchlist(pageParam, WATCH_PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  // Add a token.
  const [address, setAddress] = useState("");
  const [chain, setChain] = useState<Chain>("ethereum");
  const [draft, setDraft] = useState<ThresholdDraft>(DEFAULT_DRAFT);
  const [touched, setTouched] = useState(false);
  const [added, setAdded] = useState<{ watch: Watch; updated: boolean } | null>(null);
  const problem = addressProblem(address);
  const scoreProblem = thresholdProblem(draft);
  const add = useMutation({
    mutationFn: () => api.watch({ token_address: address.trim(), chain, threshold: toThreshold(draft) }),
    onSuccess: (watch) => {
      setAdded({ watch, updated: items.some((w) => rowKey(w) === rowKey(watch)) });
      setAddress("");
      setTouched(false);
      void queryClient.invalidateQueries({ queryKey: ["watchlist"] });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    setAdded(null);
    if (problem === null && scoreProblem === null) add.mutate();
  }

  // Change a threshold (POST again: the API replaces it) or stop watching.
  const [editing, setEditing] = useState<{ key: string; draft: ThresholdDraft } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const editProblem = editing ? thresholdProblem(editing.draft) : null;
  const change = useMutation({
    mutationFn: ({ watch, next }: { watch: Watch; next: ThresholdDraft }) =>
      api.watch({ token_address: watch.token_address, chain: watch.chain, threshold: toThreshold(next) }),
    onSuccess: () => {
      setEditing(null);
      void queryClient.invalidateQueries({ queryKey: ["watchlist"] });
    },
  });
  const remove = useMutation({
    mutationFn: (watch: Watch) => api.unwatch(watch.chain, watch.token_address),
    onSuccess: (_, watch) => {
      setRemoving(null);
      if (added && rowKey(added.watch) === rowKey(watch)) setAdded(null);
      void queryClient.invalidateQueries({ queryKey: ["watchlist"] });
    },
  });

  function saveEdit(event: FormEvent, watch: Watch) {
    event.preventDefault();
    if (editing && editProblem === null) change.mutate({ watch, next: editing.draft });
  }

  const showProblem = touched && problem !== null;
  const showScoreProblem = touched && scoreProblem !== null;
  return (
    <div className="stack">
      <h1>Watchlist</h1>
      <p className="lead">
        Watched tokens are analysed again on a schedule; when something a holder acts on changes, every one of
        your <Link to="/alerts">alert destinations</Link> hears of it.
      </p>

      <form className="card stack" onSubmit={submit} noValidate aria-labelledby="watch-title">
        <h2 id="watch-title">Watch a token</h2>
        <div className="row wrap">
          <TokenFields
            address={address}
            onAddress={setAddress}
            onBlur={() => setTouched(address !== "")}
            chain={chain}
            onChain={setChain}
            invalid={showProblem}
            problemId="watch-address-problem"
          />
          <ThresholdFields draft={draft} onChange={setDraft} problem={showScoreProblem ? scoreProblem : null} problemId="watch-threshold-problem" />
        </div>
        <p id="watch-address-problem" className="field-error" aria-live="polite">
          {showProblem ? problem : ""}
        </p>
        {draft.kind === "score" && (
          <p id="watch-threshold-problem" className="field-error" aria-live="polite">
            {showScoreProblem ? scoreProblem : ""}
          </p>
        )}
        <ErrorMessage error={add.error} />
        {added && (
          <p role="status" className="alert">
            {added.updated ? "Threshold updated for" : "Now watching"}{" "}
            <span className="mono">{shortAddress(added.watch.token_address)}</span> ({describeThreshold(added.watch.threshold)}).
            {!added.updated && " Its first rescan records the state later ones are compared with."}
          </p>
        )}
        <div>
          <button type="submit" className="button" disabled={add.isPending}>
            {add.isPending ? "Adding…" : "Watch"}
          </button>
        </div>
      </form>

      <section className="stack" aria-labelledby="watched-title">
        <h2 id="watched-title">Watched tokens</h2>
        <ErrorMessage
          error={list.error ?? change.error ?? remove.error}
          onRetry={list.error ? () => void list.refetch() : undefined}
        />
        {list.isPending && <p role="status">Loading your watchlist…</p>}
        {list.isSuccess && items.length === 0 && (
          <p>
            Nothing watched yet. Add a token above, or press “Watch this token” on an analysis.
          </p>
        )}
        {items.length > 0 && (
          <div className="table-scroll">
            <table className={`table ${styles.rows}`}>
              <caption className="visually-hidden">Watched tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Chain</th>
                  <th scope="col">Alert on</th>
                  <th scope="col">Next rescan</th>
                  <th scope="col">Last check</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((w) => {
                  const key = rowKey(w);
                  const short = shortAddress(w.token_address);
                  const check = w.last_check;
                  return (
                    <tr key={key}>
                      <td data-label="Token">
                        <span className="mono" title={w.token_address}>
                          {short}
                        </span>
                      </td>
                      <td data-label="Chain">{chainLabel(w.chain)}</td>
                      <td data-label="Alert on">
                        {editing?.key === key ? (
                          <form
                            className={styles.edit}
                            onSubmit={(e) => saveEdit(e, w)}
                            noValidate
                            aria-label={`New threshold for ${short}`}
                          >
                            <ThresholdFields
                              draft={editing.draft}
                              onChange={(next) => setEditing({ key, draft: next })}
                              problem={editProblem}
                              problemId={`problem-${key}`}
                            />
                            <button type="submit" className="button small" disabled={change.isPending || editProblem !== null}>
                              {change.isPending ? "Saving…" : "Save"}
                            </button>
                            <button type="button" className="button secondary small" onClick={() => setEditing(null)}>
                              Cancel
                            </button>
                            {editProblem && (
                              <span id={`problem-${key}`} className="field-error">
                                {editProblem}
                              </span>
                            )}
                          </form>
                        ) : (
                          describeThreshold(w.threshold)
                        )}
                      </td>
                      <td data-label="Next rescan" className={styles.nowrap}>
                        {nextRescan(w.next_rescan_at)}
                      </td>
                      <td data-label="Last check">
                        {check ? (
                          <span className={styles.check}>
                            {check.risk_level ? (
                              <span className={`level-pill ${levelClass(check.risk_level)}`}>
                                {check.risk_score ?? "–"} {check.risk_level}
                              </span>
                            ) : (
                              <span className="level-pill">no verdict</span>
                            )}
                            <Link to={`/analyses/${check.task_id}`} aria-label={`Last check of ${short}, ${dateTime(check.checked_at)}`}>
                              {dateTime(check.checked_at)}
                            </Link>
                          </span>
                        ) : (
                          <span className="hint">Not checked yet</span>
                        )}
                      </td>
                      <td>
                        <div className={styles.actions}>
                          {removing === key ? (
                            <>
                              <button
                                type="button"
                                className="button danger small"
                                onClick={() => remove.mutate(w)}
                                disabled={remove.isPending}
                              >
                                Confirm remove
                              </button>
                              <button type="button" className="button secondary small" onClick={() => setRemoving(null)}>
                                Cancel
                              </button>
                            </>
                          ) : (
                            <>
                              {editing?.key !== key && (
                                <button
                                  type="button"
                                  className="button secondary small"
                                  onClick={() => {
                                    change.reset();
                                    setEditing({ key, draft: draftOf(w.threshold) });
                                  }}
                                  aria-label={`Change the threshold of ${short}`}
                                >
                                  Change
                                </button>
                              )}
                              <button
                                type="button"
                                className="button secondary small"
                                onClick={() => {
                                  remove.reset();
                                  setRemoving(key);
                                }}
                                aria-label={`Stop watching ${short}`}
                              >
                                Remove
                              </button>
                            </>
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore query={list} />
      </section>
    </div>
  );
}
