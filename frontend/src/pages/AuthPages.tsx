import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";

import type { FromState } from "../App";
import { useApi, useSession } from "../api/context";
import { ErrorMessage } from "../components/ErrorMessage";
import { useTitle } from "../lib/useTitle";

interface Credentials {
  email: string;
  password: string;
}

function CredentialsForm({
  title,
  submitLabel,
  busyLabel,
  passwordHint,
  onSubmit,
  pending,
  error,
}: {
  title: string;
  submitLabel: string;
  busyLabel: string;
  passwordHint?: string;
  onSubmit: (c: Credentials) => void;
  pending: boolean;
  error: unknown;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const passwordId = useId();
  useTitle(title);

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit({ email: email.trim(), password });
  }

  return (
    <form className="card narrow stack" onSubmit={submit} aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      <label className="field">
        <span>Email</span>
        <input
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <div className="field">
        <label htmlFor={passwordId}>Password</label>
        <input
          id={passwordId}
          type="password"
          name="password"
          autoComplete={passwordHint ? "new-password" : "current-password"}
          required
          minLength={passwordHint ? 10 : 1}
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={passwordHint ? `${passwordId}-hint` : undefined}
        />
        {passwordHint && (
          <small id={`${passwordId}-hint`} className="hint">
            {passwordHint}
          </small>
        )}
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? busyLabel : submitLabel}
      </button>
    </form>
  );
}

function useAfterSignIn() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as FromState)?.from;
  return () => navigate(from ? `${from.pathname}${from.search}` : "/", { replace: true });
}

export function SignInPage() {
  const api = useApi();
  const { signedIn } = useSession();
  const queryClient = useQueryClient();
  const done = useAfterSignIn();
  const signIn = useMutation({
    mutationFn: (c: Credentials) => api.signIn(c.email, c.password),
    onSuccess: () => {
      queryClient.clear();
      done();
    },
  });
  if (signedIn && !signIn.isPending && !signIn.isSuccess) return <Navigate to="/" replace />;
  return (
    <div className="stack center">
      <p className="lead">Is this token a scam? Sign in to analyse a token contract.</p>
      <CredentialsForm
        title="Sign in"
        submitLabel="Sign in"
        busyLabel="Signing in…"
        onSubmit={(c) => signIn.mutate(c)}
        pending={signIn.isPending}
        error={signIn.error}
      />
      <p>
        New here? <Link to="/sign-up">Create an account</Link>
      </p>
    </div>
  );
}

export function SignUpPage() {
  const api = useApi();
  const { signedIn } = useSession();
  const queryClient = useQueryClient();
  const done = useAfterSignIn();
  const signUp = useMutation({
    mutationFn: async (c: Credentials) => {
      await api.register(c.email, c.password);
      await api.signIn(c.email, c.password);
    },
    onSuccess: () => {
      queryClient.clear();
      done();
    },
  });
  if (signedIn && !signUp.isPending && !signUp.isSuccess) return <Navigate to="/" replace />;
  return (
    <div className="stack center">
      <p className="lead">Create a free account: analyse tokens here, or from your own code with an API key.</p>
      <CredentialsForm
        title="Create your account"
        submitLabel="Sign up"
        busyLabel="Creating your account…"
        passwordHint="At least 10 characters with 5 different ones; not a common password, not your email."
        onSubmit={(c) => signUp.mutate(c)}
        pending={signUp.isPending}
        error={signUp.error}
      />
      <p>
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </div>
  );
}
