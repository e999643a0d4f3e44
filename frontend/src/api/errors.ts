import type { ErrorBody } from "./types";

/** An answer from the API that is not a success: its status and the {"error": {code, message}} body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = {},
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The API could not be reached at all (offline, wrong URL, CORS). */
export class NetworkError extends Error {
  constructor(readonly url: string) {
    super(`Cannot reach the MoneyGrow API at ${url || "this site"}. Check your connection and try again.`);
    this.name = "NetworkError";
  }
}

export function toApiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? (response.statusText || `the request failed (HTTP ${response.status})`),
    error?.details ?? {},
    Number.isFinite(retry) ? retry : null,
  );
}

interface FieldProblem {
  loc?: unknown[];
  msg?: string;
}

/** A sentence a trader can read, for any error the app may meet. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterS ?? 60;
      return `Slow down: too many requests. Retry in ${wait} s.`;
    }
    if (error.status === 401) return "Your session has ended. Please sign in again.";
    if (error.status === 422 && Array.isArray(error.details) && error.details.length > 0) {
      const parts = (error.details as FieldProblem[]).map((d) => {
        const field = Array.isArray(d.loc) ? String(d.loc[d.loc.length - 1] ?? "") : "";
        return field ? `${field.replace(/_/g, " ")}: ${d.msg ?? "invalid"}` : (d.msg ?? "invalid");
      });
      return `${capitalise(error.message)}: ${parts.join("; ")}.`;
    }
    if (error.status >= 500) return `The service had a problem (${error.message}). Please try again shortly.`;
    return capitalise(error.message.endsWith(".") ? error.message : `${error.message}.`);
  }
  if (error instanceof NetworkError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
