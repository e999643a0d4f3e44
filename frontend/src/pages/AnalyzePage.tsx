import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { useApi } from "../api/context";
import type { Chain } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { TokenFields } from "../components/TokenFields";
import { addressProblem } from "../lib/address";
import { useTitle } from "../lib/useTitle";

export function AnalyzePage() {
  const api = useApi();
  const navigate = useNavigate();
  useTitle("Analyze a token");
  const [address, setAddress] = useState("");
  const [chain, setChain] = useState<Chain>("ethereum");
  const [touched, setTouched] = useState(false);
  const problem = addressProblem(address);
  const submit = useMutation({
    mutationFn: () => api.analyze(address.trim(), chain),
    onSuccess: (submitted) => navigate(`/analyses/${submitted.task_id}`),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problem === null) submit.mutate();
  }

  const showProblem = touched && problem !== null;
  return (
    <div className="stack">
      <h1>Is this token a scam?</h1>
      <p className="lead">
        Paste a token's contract address. MoneyGrow reads its code, simulates a buy and a sell, checks what its
        owner can do, and explains the risk.
      </p>
      <form className="card stack" onSubmit={onSubmit} noValidate aria-label="Analyze a token">
        <div className="row wrap">
          <TokenFields
            address={address}
            onAddress={setAddress}
            onBlur={() => setTouched(address !== "")}
            chain={chain}
            onChain={setChain}
            invalid={showProblem}
            problemId="address-problem"
          />
        </div>
        <p id="address-problem" className="field-error" aria-live="polite">
          {showProblem ? problem : ""}
        </p>
        <ErrorMessage error={submit.error} />
        <div>
          <button type="submit" className="button" disabled={submit.isPending}>
            {submit.isPending ? "Submitting…" : "Analyze"}
          </button>
        </div>
      </form>
    </div>
  );
}
