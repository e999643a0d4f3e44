import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";

import { useApi } from "../api/context";
import type { Channel, NewSubscription, Subscription } from "../api/types";
import { CopyButton } from "../components/CopyButton";
import { ErrorMessage } from "../components/ErrorMessage";
import { LoadMore } from "../components/LoadMore";
import { dateTime } from "../lib/format";
import { useTitle } from "../lib/useTitle";
import { CHANNELS, endpointProblem, normaliseEndpoint } from "../lib/watch";
import styles from "./Watch.module.css";

export const SUBSCRIPTION_PAGE_SIZE = 20;

const channelLabel = (channel: Channel) => CHANNELS.find((c) => c.value === channel)?.label ?? channel;

const PENDING_WHY: Record<Channel, string> = {
  webhook: "until the webhook visits the confirm_url it was sent",
  email: "until the link in the confirmation email is clicked",
  sms: "",
};

export function AlertsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  useTitle("Alerts");
  const list = useInfiniteQuery({
    queryKey: ["subscriptions"],
    queryFn: ({ pageParam }) => api.subscriptions(pageParam, SUBSCRIPTION_PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // A destination is confirmed elsewhere (a mail, the webhook's receiver): look again on return.
    refetchOnWindowFocus: true,
  });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const [channel, setChannel] = useState<Channel>("webhook");
  const [endpoint, setEndpoint] = useState("");
  const [touched, setTouched] = useState(false);
  const [created, setCreated] = useState<NewSubscription | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const problem = endpointProblem(channel, endpoint);
  const spec = CHANNELS.find((c) => c.value === channel)!;

  const create = useMutation({
    mutationFn: () => api.subscribe(channel, normaliseEndpoint(channel, endpoint)),
    onSuccess: (sub) => {
      setCreated(sub);
      setEndpoint("");
      setTouched(false);
      void queryClient.invalidateQueries({ queryKey: ["subscriptions"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.unsubscribe(id),
    onSuccess: (_, id) => {
      setDeleting(null);
      if (created?.subscription_id === id) setCreated(null);
      void queryClient.invalidateQueries({ queryKey: ["subscriptions"] });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    setCreated(null);
    if (problem === null) create.mutate();
  }

  const showProblem = touched && problem !== null;
  return (
    <div className="stack">
      <h1>Alert destinations</h1>
      <p className="lead">
        When a token on your <Link to="/watchlist">watchlist</Link> changes, one alert goes to each destination
        below: a webhook (signed), an email address or a phone (SMS).
      </p>

      {created && <Created sub={created} onDone={() => setCreated(null)} />}

      <form className="card stack" onSubmit={submit} noValidate aria-labelledby="add-destination-title">
        <h2 id="add-destination-title">Add a destination</h2>
        <div className="row wrap">
          <label className="field">
            <span>Channel</span>
            <select
              name="channel"
              value={channel}
              onChange={(e) => {
                setChannel(e.target.value as Channel);
                setTouched(false);
              }}
            >
              {CHANNELS.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>{spec.field}</span>
            <input
              name="endpoint"
              type={channel === "webhook" ? "url" : channel === "email" ? "email" : "tel"}
              autoComplete={channel === "email" ? "email" : channel === "sms" ? "tel" : "off"}
              spellCheck={false}
              placeholder={spec.placeholder}
              value={endpoint}
              onChange={(e) => setEndpoint(e.target.value)}
              onBlur={() => setTouched(endpoint !== "")}
              aria-invalid={showProblem}
              aria-describedby="endpoint-problem"
            />
          </label>
        </div>
        <p id="endpoint-problem" className="field-error" aria-live="polite">
          {showProblem ? problem : ""}
        </p>
        <ErrorMessage error={create.error} />
        <div>
          <button type="submit" className="button" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add destination"}
          </button>
        </div>
      </form>

      <section className="stack" aria-labelledby="destinations-title">
        <h2 id="destinations-title">Your destinations</h2>
        <ErrorMessage error={list.error ?? remove.error} onRetry={list.error ? () => void list.refetch() : undefined} />
        {list.isPending && <p role="status">Loading your destinations…</p>}
        {list.isSuccess && items.length === 0 && <p>No destinations yet: alerts have nowhere to go.</p>}
        {items.length > 0 && (
          <div className="table-scroll">
            <table className={`table ${styles.rows}`}>
              <caption className="visually-hidden">Alert destinations</caption>
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <Row
                    key={s.subscription_id}
                    sub={s}
                    confirming={deleting === s.subscription_id}
                    busy={remove.isPending}
                    onAsk={() => {
                      remove.reset();
                      setDeleting(s.subscription_id);
                    }}
                    onCancel={() => setDeleting(null)}
                    onConfirm={() => remove.mutate(s.subscription_id)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore query={list} />
      </section>
    </div>
  );
}

function Row({
  sub,
  confirming,
  busy,
  onAsk,
  onCancel,
  onConfirm,
}: {
  sub: Subscription;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const pending = sub.status === "pending_confirmation";
  return (
    <tr>
      <td data-label="Channel">{channelLabel(sub.channel)}</td>
      <td data-label="Destination">
        <span className="mono break">{sub.endpoint}</span>
      </td>
      <td data-label="Status">
        {pending ? (
          <span className="badge" title={`No alert is sent ${PENDING_WHY[sub.channel]}`}>
            Pending confirmation
          </span>
        ) : (
          <span className="badge">Confirmed</span>
        )}
      </td>
      <td data-label="Added">{dateTime(sub.created_at)}</td>
      <td>
        <div className={styles.actions}>
          {confirming ? (
            <>
              <button type="button" className="button danger small" onClick={onConfirm} disabled={busy}>
                Confirm delete
              </button>
              <button type="button" className="button secondary small" onClick={onCancel}>
                Cancel
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button secondary small"
              onClick={onAsk}
              aria-label={`Delete ${channelLabel(sub.channel).toLowerCase()} destination ${sub.endpoint}`}
            >
              Delete
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** What to do next with the destination just added; a webhook's signing secret, shown this once. */
function Created({ sub, onDone }: { sub: NewSubscription; onDone: () => void }) {
  if (sub.channel !== "webhook") {
    return (
      <section className="card stack success" aria-labelledby="created-title" aria-live="polite">
        <h2 id="created-title">{channelLabel(sub.channel)} destination added</h2>
        {sub.channel === "email" ? (
          <p>
            A confirmation link is on its way to <strong>{sub.endpoint}</strong>: alerts start once it is clicked.
          </p>
        ) : (
          <p>
            Alerts go to <strong>{sub.endpoint}</strong> from now on. Reply STOP to any of them to opt out.
          </p>
        )}
        <div>
          <button type="button" className="button secondary small" onClick={onDone}>
            OK
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="card stack success" aria-labelledby="created-title" aria-live="polite">
      <h2 id="created-title">Webhook added: its signing secret</h2>
      <p>
        <strong>Copy it now: it is shown only once.</strong>
      </p>
      {sub.signing_secret && (
        <div className="row wrap">
          <code className="secret break" data-testid="signing-secret">
            {sub.signing_secret}
          </code>
          <CopyButton text={sub.signing_secret} label="Copy secret" />
        </div>
      )}
      <p className={styles.verify}>
        To verify a delivery, compute the hex HMAC-SHA256 of <code>&lt;t&gt;.</code> + the raw body with this secret,
        compare it with <code>v1</code> in its <code>MoneyGrow-Signature: t=…,v1=…</code> header, and refuse a{" "}
        <code>t</code> older than 5 minutes.
      </p>
      {sub.confirmation_sent === false ? (
        <div role="alert" className="alert warning">
          Your URL did not accept the confirmation event{sub.confirmation_error ? ` (${sub.confirmation_error})` : ""}.
          Nothing is sent until it visits that event's confirm_url: delete this destination and add it again once the
          URL answers.
        </div>
      ) : (
        <p>
          Your URL was sent a <code>subscription.confirmation</code> event: nothing else is sent until your webhook
          visits the <code>confirm_url</code> in it.
        </p>
      )}
      <div>
        <button type="button" className="button secondary small" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
