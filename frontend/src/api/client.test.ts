import { describe, expect, it } from "vitest";

import { BASE, apiError, fakeServer, json } from "../test/fakeServer";
import { TASK, TOKENS, analysis } from "../test/fixtures";
import { MoneyGrowApi } from "./client";
import { ApiError, describeError, NetworkError } from "./errors";
import { Session } from "./session";

function signedIn(fetchImpl: typeof fetch) {
  const session = new Session(window.sessionStorage);
  session.set("expired", "refresh-1");
  return new MoneyGrowApi(BASE, session, fetchImpl);
}

describe("MoneyGrowApi", () => {
  it("signs in, keeps the access token in memory and sends it as a Bearer token", async () => {
    const server = fakeServer({
      "POST /auth/token": () => json(TOKENS),
      "GET /users/me": () => json({ user_id: "u", email: "a@b.co", created_at: "2026-01-01T00:00:00Z", tier: "free" }),
    });
    const api = new MoneyGrowApi(BASE, new Session(window.sessionStorage), server.fetch);
    await api.signIn("a@b.co", "a long passphrase");
    expect(api.session.snapshot.accessToken).toBe("access-1");
    expect(window.sessionStorage.getItem("moneygrow.refresh")).toBe("refresh-1");
    expect(Object.values(window.sessionStorage)).not.toContain("access-1");
    const me = await api.me();
    expect(me.tier).toBe("free");
    expect(server.calls[0]!.body).toEqual({ email: "a@b.co", password: "a long passphrase" });
    expect(server.calls[1]!.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("keeps the device token a login returns and sends it with the next login", async () => {
    const server = fakeServer({ "POST /auth/token": () => json({ ...TOKENS, device_token: "device-1" }) });
    const api = new MoneyGrowApi(BASE, new Session(window.sessionStorage, window.localStorage), server.fetch);
    await api.signIn("a@b.co", "a long passphrase");
    await api.signIn("a@b.co", "a long passphrase");
    expect(server.calls[0]!.body).toEqual({ email: "a@b.co", password: "a long passphrase" });
    expect(server.calls[1]!.body).toEqual({ email: "a@b.co", password: "a long passphrase", device_token: "device-1" });
    expect(window.localStorage.getItem("moneygrow.device")).toBe("device-1");
  });

  it("refreshes once on 401 and retries, even for concurrent requests", async () => {
    const server = fakeServer({
      "GET /analysis/:id": (req) =>
        req.headers.get("Authorization") === "Bearer access-2"
          ? json(analysis())
          : apiError(401, "unauthorized", "token expired"),
      "POST /auth/refresh": () => json({ ...TOKENS, access_token: "access-2", refresh_token: "refresh-2" }),
    });
    const api = signedIn(server.fetch);
    const [a, b] = await Promise.all([api.analysis(TASK), api.analysis(TASK)]);
    expect(a.task_id).toBe(TASK);
    expect(b.status).toBe("COMPLETED");
    const refreshes = server.calls.filter((c) => c.path === "/auth/refresh");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.body).toEqual({ refresh_token: "refresh-1" });
    expect(api.session.snapshot.refreshToken).toBe("refresh-2");
  });

  it("after a reload (refresh token only) refreshes before the first request: no 401 on the wire", async () => {
    window.sessionStorage.setItem("moneygrow.refresh", "refresh-1");
    const server = fakeServer({
      "POST /auth/refresh": () => json({ ...TOKENS, access_token: "access-2", refresh_token: "refresh-2" }),
      "GET /users/me": (req) =>
        req.headers.get("Authorization") === "Bearer access-2"
          ? json({ user_id: "u", email: "a@b.co", created_at: "2026-01-01T00:00:00Z", tier: "pro" })
          : apiError(401, "unauthorized", "no token"),
    });
    const api = new MoneyGrowApi(BASE, new Session(window.sessionStorage), server.fetch);
    expect(api.session.signedIn).toBe(true);
    expect((await api.me()).tier).toBe("pro");
    expect(server.calls.map((c) => c.path)).toEqual(["/auth/refresh", "/users/me"]);
  });

  it("clears the session when the refresh token is refused (back to sign-in)", async () => {
    const server = fakeServer({
      "GET /analysis/history": () => apiError(401, "unauthorized", "token expired"),
      "POST /auth/refresh": () => apiError(401, "unauthorized", "refresh token reused"),
    });
    const api = signedIn(server.fetch);
    const error = await api.history().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(api.session.signedIn).toBe(false);
    expect(window.sessionStorage.getItem("moneygrow.refresh")).toBeNull();
  });

  it("turns a 429 into 'slow down, retry in N s'", async () => {
    const server = fakeServer({
      "POST /analyze": () => apiError(429, "rate_limited", "too many requests", { "Retry-After": "7" }),
    });
    const api = signedIn(server.fetch);
    const error = await api.analyze("0x" + "1".repeat(40), "ethereum").catch((e: unknown) => e);
    expect((error as ApiError).retryAfterS).toBe(7);
    expect(describeError(error)).toBe("Slow down: too many requests. Retry in 7 s.");
  });

  it("reads the API's error body and lists invalid fields", async () => {
    const server = fakeServer({
      "POST /analyze": () =>
        json(
          {
            error: {
              code: "validation_error",
              message: "the request is not valid",
              details: [{ loc: ["body", "token_address"], msg: "String should match pattern", type: "x" }],
            },
          },
          422,
        ),
      "DELETE /users/api-keys/:id": () => apiError(404, "not_found", "api key not found"),
    });
    const api = signedIn(server.fetch);
    const invalid = await api.analyze("0xnope", "ethereum").catch((e: unknown) => e);
    expect((invalid as ApiError).code).toBe("validation_error");
    expect(describeError(invalid)).toBe("The request is not valid: token address: String should match pattern.");
    const missing = await api.revokeKey("0123456789abcdef").catch((e: unknown) => e);
    expect(describeError(missing)).toBe("Api key not found.");
  });

  it("says when the API cannot be reached", async () => {
    const api = signedIn((() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch);
    const error = await api.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(describeError(error)).toContain(`Cannot reach the MoneyGrow API at ${BASE}`);
  });

  it("signs out: forgets the session and revokes the login", async () => {
    const server = fakeServer({ "POST /auth/logout": () => json(null, 204) });
    const api = signedIn(server.fetch);
    await api.signOut();
    expect(api.session.signedIn).toBe(false);
    expect(server.calls[0]!.body).toEqual({ refresh_token: "refresh-1" });
  });
});
