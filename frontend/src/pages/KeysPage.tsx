import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { useApi } from "../api/context";
import type { Page } from "../api/client";
import type { ApiKey, ApiKeyRequest, NewApiKey } from "../api/types";
import { CopyButton } from "../components/CopyButton";
import { ErrorMessage } from "../components/ErrorMessage";
import { dateTime } from "../lib/format";
import { useTitle } from "../lib/useTitle";

type Scope = ApiKeyRequest["scopes"] extends (infer S)[] | undefined ? S : never;
const SCOPES: { value: Scope; label: string }[] = [
  { value: "read", label: "read (results and history)" },
  { value: "analyze", label: "analyze (submit tokens)" },
];

export function KeysPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  useTitle("API keys");
  const me = useQuery({ queryKey: ["me"], queryFn: () => api.me(), staleTime: 60_000 });
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api.listKeys() });
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read", "analyze"]);
  const [expires, setExpires] = useState("");
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: () =>
      api.createKey({
        name: name.trim() || "default",
        scopes,
        expires_in_days: expires ? Number(expires) : null,
      }),
    onSuccess: (key) => {
      setCreated(key);
      setName("");
      // Show it in the list at once (without the secret), then refetch.
      const { api_key: _secret, ...listed } = key;
      queryClient.setQueryData<Page<ApiKey>>(["keys"], (old) =>
        old ? { ...old, items: [listed, ...old.items.filter((k) => k.key_id !== key.key_id)] } : old,
      );
      void queryClient.invalidateQueries({ queryKey: ["keys"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (keyId: string) => api.revokeKey(keyId),
    onSuccess: (_, keyId) => {
      setConfirming(null);
      if (created?.key_id === keyId) setCreated(null);
      void queryClient.invalidateQueries({ queryKey: ["keys"] });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  function toggle(scope: Scope, on: boolean) {
    setScopes((current) => (on ? [...new Set([...current, scope])] : current.filter((s) => s !== scope)));
  }

  return (
    <div className="stack">
      <h1>API keys</h1>
      <p className="lead">
        Call the MoneyGrow API from your own code with an <code>X-API-Key</code> header.
        {me.data && (
          <>
            {" "}
            Your plan: <span className="badge">{me.data.tier}</span>
          </>
        )}
      </p>

      {created && (
        <section className="card stack success" aria-labelledby="new-key-title" aria-live="polite">
          <h2 id="new-key-title">Your new key “{created.name}”</h2>
          <p>
            <strong>Copy it now: it is shown only once.</strong> MoneyGrow keeps only a fingerprint of it.
          </p>
          <div className="row wrap">
            <code className="secret break" data-testid="new-api-key">
              {created.api_key}
            </code>
            <CopyButton text={created.api_key} label="Copy key" />
          </div>
          <div>
            <button type="button" className="button secondary small" onClick={() => setCreated(null)}>
              I have stored it
            </button>
          </div>
        </section>
      )}

      <form className="card stack" onSubmit={submit} aria-labelledby="create-key-title">
        <h2 id="create-key-title">Create a key</h2>
        <div className="row wrap">
          <label className="field grow">
            <span>Name</span>
            <input
              name="key_name"
              value={name}
              maxLength={64}
              pattern="[\w .:\-]+"
              placeholder="e.g. trading bot"
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Expires</span>
            <select value={expires} onChange={(e) => setExpires(e.target.value)}>
              <option value="">Never</option>
              <option value="30">In 30 days</option>
              <option value="90">In 90 days</option>
              <option value="365">In a year</option>
            </select>
          </label>
        </div>
        <fieldset className="row wrap plain-fieldset">
          <legend>Allowed to</legend>
          {SCOPES.map((s) => (
            <label key={s.value} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(s.value)}
                onChange={(e) => toggle(s.value, e.target.checked)}
              />
              {s.label}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={create.error} />
        <div>
          <button type="submit" className="button" disabled={create.isPending || scopes.length === 0}>
            {create.isPending ? "Creating…" : "Create key"}
          </button>
        </div>
      </form>

      <section className="stack" aria-labelledby="keys-title">
        <h2 id="keys-title">Your keys</h2>
        <ErrorMessage error={keys.error ?? revoke.error} onRetry={keys.error ? () => void keys.refetch() : undefined} />
        {keys.isPending && <p role="status">Loading your keys…</p>}
        {keys.data && keys.data.items.length === 0 && <p>No keys yet.</p>}
        {keys.data && keys.data.items.length > 0 && (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr key={k.key_id}>
                    <td>{k.name}</td>
                    <td className="mono">{k.prefix}…</td>
                    <td>{k.scopes.join(", ")}</td>
                    <td>{k.tier}</td>
                    <td>{dateTime(k.created_at)}</td>
                    <td>{k.last_used_at ? dateTime(k.last_used_at) : "never"}</td>
                    <td>{k.expires_at ? dateTime(k.expires_at) : "never"}</td>
                    <td>
                      {confirming === k.key_id ? (
                        <span className="row">
                          <button
                            type="button"
                            className="button danger small"
                            onClick={() => revoke.mutate(k.key_id)}
                            disabled={revoke.isPending}
                          >
                            Confirm revoke
                          </button>
                          <button type="button" className="button secondary small" onClick={() => setConfirming(null)}>
                            Cancel
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setConfirming(k.key_id)}
                          aria-label={`Revoke key ${k.name}`}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
