import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { AnalysisResponse } from "../api/types";
import { apiError, fakeServer, json } from "../test/fakeServer";
import { analysis, progressOf, RESULT, SMART_MONEY, TASK, TOKEN, TOKENS } from "../test/fixtures";
import { renderApp } from "../test/render";

const ME = { user_id: "u1", email: "trader@example.com", created_at: "2026-01-01T00:00:00Z", tier: "free" };
const KEY = {
  key_id: "00112233445566aa",
  name: "bot",
  prefix: "mg_live_ab",
  created_at: "2026-01-01T00:00:00Z",
  last_used_at: null,
  scopes: ["read", "analyze"],
  expires_at: null,
  tier: "free",
};

describe("sign up and sign in", () => {
  it("sends a signed-out visitor to sign in, and signs up into the analyze screen", async () => {
    const server = fakeServer({
      "POST /auth/register": () => json({ status: "accepted", message: "ok" }, 202),
      "POST /auth/token": () => json(TOKENS),
      "GET /users/me": () => json(ME),
    });
    const { user } = renderApp("/history", server.fetch, { signedIn: false });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Create an account" }));
    await user.type(screen.getByLabelText("Email"), "trader@example.com");
    await user.type(screen.getByLabelText("Password"), "a long passphrase");
    await user.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByRole("heading", { name: "Is this token a scam?" })).toBeInTheDocument();
    expect(await screen.findByText("trader@example.com")).toBeInTheDocument();
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining(["POST /auth/register", "POST /auth/token"]),
    );
  });

  it("shows the API's message when the credentials are wrong", async () => {
    const server = fakeServer({ "POST /auth/token": () => apiError(401, "unauthorized", "invalid email or password") });
    const { user } = renderApp("/sign-in", server.fetch, { signedIn: false });
    await user.type(screen.getByLabelText("Email"), "x@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Your session has ended. Please sign in again.");
  });
});

describe("analyze", () => {
  it("checks the address before sending anything", async () => {
    const server = fakeServer({ "GET /users/me": () => json(ME) });
    const { user } = renderApp("/", server.fetch);
    await user.type(await screen.findByLabelText("Token contract address"), "0x1234");
    await user.click(screen.getByRole("button", { name: "Analyze" }));
    expect(screen.getByText("An address is 0x followed by 40 characters; this one has 4.")).toBeInTheDocument();
    expect(screen.getByLabelText("Token contract address")).toHaveAttribute("aria-invalid", "true");
    expect(server.calls.some((c) => c.path === "/analyze")).toBe(false);
  });

  it("submits, shows each agent while the workflow runs, then the result", async () => {
    const running = analysis({ status: "RUNNING", result: null, agents: [], completed_at: null });
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "POST /analyze": () => json({ task_id: TASK, status: "PENDING", deduplicated: false, links: { self: "x" } }, 202),
      "GET /analysis/:id": [() => json(running), () => json(analysis())],
    });
    const { user } = renderApp("/", server.fetch);
    await user.type(await screen.findByLabelText("Token contract address"), TOKEN);
    await user.selectOptions(screen.getByLabelText("Chain"), "bsc");
    await user.click(screen.getByRole("button", { name: "Analyze" }));
    expect(await screen.findByRole("heading", { name: /Analysing 0x5FbDB2/ })).toBeInTheDocument();
    expect(screen.getAllByText("Running…")).toHaveLength(3);
    expect(await screen.findByRole("heading", { name: "Trap Token (TRAP)" }, { timeout: 4000 })).toBeInTheDocument();
    expect(window.location.pathname).toBe(`/analyses/${TASK}`);
    expect(server.calls.find((c) => c.path === "/analyze")!.body).toEqual({ token_address: TOKEN, chain: "bsc" });
  });

  it("shows each agent's own state live while polling: done ones with their status, the others running", async () => {
    const running: Partial<AnalysisResponse> = { status: "RUNNING", result: null, agents: [], completed_at: null };
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/:id": [
        () => json(analysis(running)),
        () => json(analysis({ ...running, progress: progressOf([], { ml: "DEGRADED" }) })),
        () => json(analysis()),
      ],
    });
    renderApp(`/analyses/${TASK}`, server.fetch);
    const steps = () => screen.getAllByRole("listitem").map((li) => li.textContent ?? "");
    expect(await screen.findByText("0 of 3 agents done", { exact: false })).toHaveAttribute("role", "status");
    expect(screen.getAllByText("Running…")).toHaveLength(3);
    // the ML agent recorded DEGRADED: shown at once, while the others still run
    expect(await screen.findByText("Done, partly", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("1 of 3 agents done");
    expect(steps().find((t) => t.startsWith("ML model"))).toMatch(/Done, partly· 0\.3 s/);
    expect(steps().filter((t) => t.includes("Running…"))).toHaveLength(2);
    expect(await screen.findByRole("heading", { name: "Trap Token (TRAP)" }, { timeout: 5000 })).toBeInTheDocument();
    expect(server.calls.filter((c) => c.path === `/analysis/${TASK}`)).toHaveLength(3);
  }, 15_000);

  it("says 'slow down' with the wait when rate limited", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "POST /analyze": () => apiError(429, "rate_limited", "rate limit exceeded", { "Retry-After": "12" }),
    });
    const { user } = renderApp("/", server.fetch);
    await user.type(await screen.findByLabelText("Token contract address"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Analyze" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Slow down: too many requests. Retry in 12 s.");
  });
});

describe("result", () => {
  it("shows the verdict, findings by severity, simulation, ML, advice and agents", async () => {
    const server = fakeServer({ "GET /users/me": () => json(ME), "GET /analysis/:id": () => json(analysis()) });
    renderApp(`/analyses/${TASK}`, server.fetch);
    const overall = await screen.findByRole("meter", { name: "Overall risk" });
    expect(overall).toHaveAttribute("aria-valuenow", "92");
    expect(screen.getByRole("meter", { name: "Contract risk" })).toHaveAttribute("aria-valuenow", "92");
    expect(screen.getByRole("meter", { name: "Market risk" })).toHaveAttribute("aria-valuenow", "30");
    expect(screen.getByText(/the real level may be higher/)).toBeInTheDocument();

    const findings = screen.getByRole("region", { name: "Findings (3)" });
    const groups = within(findings).getAllByRole("heading", { level: 3 }).map((h) => h.textContent);
    expect(groups).toEqual(["CRITICAL 1 finding", "HIGH 1 finding", "MEDIUM 1 finding"]);
    expect(within(findings).getByText("The owner can create new tokens at will.")).toBeInTheDocument();
    expect(within(findings).getByText("mint(address,uint256)")).toBeInTheDocument();

    const sim = screen.getByRole("region", { name: "Trade simulation" });
    expect(within(sim).getByText("Sell tax").nextSibling).toHaveTextContent("60.0 %");
    expect(within(sim).getByText("Can sell").nextSibling).toHaveTextContent("Yes");
    const ml = screen.getByRole("region", { name: "ML model" });
    expect(ml).toHaveTextContent("83 %");
    expect(ml).toHaveTextContent("gb-2026-11");
    expect(ml).toHaveTextContent("Basis: bytecode model, held-out AUC 0.91");
    expect(within(ml).getByText(/Has mint selector/)).toHaveTextContent("Has mint selector: 1 (+0.42)");
    expect(screen.getByRole("region", { name: "What could not be checked" })).toHaveTextContent("no wallet list");
    expect(screen.getByRole("region", { name: "Recommendations" })).toHaveTextContent("Critical risk: do not buy.");
    const agents = screen.getByRole("region", { name: "Agents" });
    expect(within(agents).getByText("Done, partly")).toBeInTheDocument();
    expect(within(agents).getByRole("list", { name: "What Smart money could not do" })).toHaveTextContent(
      "no wallet list",
    );
    expect(screen.getByRole("button", { name: "Copy link" })).toBeInTheDocument();
  });

  it("shows the smart-money score, smart wallets, deployer-funded wallets, whale flows and entities", async () => {
    const server = fakeServer({ "GET /users/me": () => json(ME), "GET /analysis/:id": () => json(analysis()) });
    const { user } = renderApp(`/analyses/${TASK}`, server.fetch);
    const card = await screen.findByRole("region", { name: "Smart money" });
    const score = within(card).getByRole("meter", { name: "Smart-money score" });
    expect(score).toHaveAttribute("aria-valuenow", "43");
    expect(score).toHaveTextContent("43 / 100");
    expect(card).toHaveTextContent("Basis: 1 smart wallets hold, 1 exited; 10 of the token's wallets have a registry score.");
    expect(card).toHaveTextContent("Confidence 100 %.");
    expect(card).toHaveTextContent("1 smart-money wallet holds this token, 2.37 % of the supply together; 1 more sold out.");

    const wallets = within(card).getByRole("table", { name: "Smart wallets" });
    const rows = within(wallets).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Alpha Fund");
    expect(rows[0]).toHaveTextContent("registry score 82");
    expect(rows[0]).toHaveTextContent("holds 2.37 %");
    expect(rows[0]).toHaveTextContent("at 4.21e-8 ETH");
    expect(rows[0]).toHaveTextContent("+1.88 ETH unrealised");
    expect(rows[1]).toHaveTextContent(/^0xFa129B…bECD16registry score 75/);
    expect(rows[1]).toHaveTextContent("sold out");
    expect(rows[1]).toHaveTextContent("+2.94 ETH realised");

    expect(card).toHaveTextContent(
      "2 wallets funded by the deployer (0x171973…5Bf7bf, first mint (Transfer from 0x0)) around the launch hold or sold 2.2 % of the supply",
    );
    const linked = within(card).getAllByRole("table", { name: "Deployer-linked wallets" })[0]!;
    const linkedRows = within(linked).getAllByRole("row").slice(1);
    expect(linkedRows).toHaveLength(2);
    expect(linkedRows[0]).toHaveTextContent("deployer → 0x8359DA…733bd5 (1 ETH, block 93)");
    expect(linkedRows[1]).toHaveTextContent(
      "deployer → 0x8359DA…733bd5 (1 ETH, block 93) → 0x803F42…6E3dF3 (0.5 ETH, block 94)",
    );
    expect(linkedRows[1]).toHaveTextContent("1.05 %"); // sold

    expect(card).toHaveTextContent("2 largest holders");
    expect(card).toHaveTextContent("1 is leaving");
    expect(card).toHaveTextContent("over 7 days their balances fell by 50.0 % of the supply (transfers and trades).");
    const caption = within(card).getByTestId("whale-flow-caption");
    expect(caption).toHaveTextContent(
      "DEX trades of the largest holders, last 7 days: bought 177,037,136, sold 163,298,704, net +13,738,432 tokens.",
    );
    await user.click(within(card).getByRole("button", { name: "24 hours" }));
    expect(within(card).getByRole("button", { name: "24 hours" })).toHaveAttribute("aria-pressed", "true");
    expect(caption).toHaveTextContent("last 24 hours: bought 111,997,904, sold 65,039,232, net +46,958,673 tokens.");

    const entities = within(card).getByRole("list", { name: "Known entities" });
    expect(within(entities).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "LocalEx: Hot Wallet 1: exchange (registry label, holds 3.79 %)",
      "0xe02FC3…B8dBD3: MEV bot (sandwiched 1 trades here)",
    ]);
  });

  it("shows a token without smart money or trades as not scored, without an empty chart", async () => {
    const quiet = {
      ...SMART_MONEY,
      smart_money_score: null,
      basis: "no DEX trades and no known wallet holding: insufficient data",
      signal: "absent",
      smart_wallets: [],
      holders: [],
      deployer_linked: [],
      entities: [],
      whale_flows: {
        ...SMART_MONEY.whale_flows,
        exiting: [],
        net_7d_share_of_supply: 0,
        series: {
          "24h": SMART_MONEY.whale_flows.series["24h"].map((b) => ({ ...b, bought: 0, sold: 0, net: 0 })),
          "7d": SMART_MONEY.whale_flows.series["7d"].map((b) => ({ ...b, bought: 0, sold: 0, net: 0 })),
        },
      },
      insufficient_data: ["no DEX trades in the window: nobody bought or sold, so no entry, profit or flow to report"],
    };
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/:id": () => json(analysis({ result: { ...RESULT, smart_money_analysis: quiet } })),
    });
    renderApp(`/analyses/${TASK}`, server.fetch);
    const card = await screen.findByRole("region", { name: "Smart money" });
    const score = within(card).getByRole("meter", { name: "Smart-money score" });
    expect(score).not.toHaveAttribute("aria-valuenow");
    expect(score).toHaveAttribute("aria-valuetext", "not scored");
    expect(card).toHaveTextContent("No smart-money wallet holds or traded this token. That is context, not a risk.");
    expect(within(card).queryByRole("table", { name: "Smart wallets" })).not.toBeInTheDocument();
    expect(card).toHaveTextContent("None found: no wallet funded by the deployer (0x171973…5Bf7bf) around the launch");
    expect(card).toHaveTextContent("none is leaving.");
    expect(within(card).getByTestId("whale-flow-caption")).toHaveTextContent(
      "No DEX trades by the largest holders in the last 7 days.",
    );
    expect(card.querySelector(".recharts-wrapper")).toBeNull();
  });

  it("explains an address that is not a token, without a score", async () => {
    const notToken = analysis({
      risk_score: null,
      risk_level: null,
      result: { ...RESULT, kind: "NOT_A_TOKEN", risk_score: null, risk_level: null, heuristic_risks: [] },
    });
    const server = fakeServer({ "GET /users/me": () => json(ME), "GET /analysis/:id": () => json(notToken) });
    renderApp(`/analyses/${TASK}`, server.fetch);
    expect(await screen.findByRole("heading", { name: "This address is not a token" })).toBeInTheDocument();
    expect(screen.queryByRole("meter")).not.toBeInTheDocument();
  });

  it("says when the ML model does not apply, and shows a missing simulation", async () => {
    const noMl = analysis({ result: { ...RESULT, ml_prediction: null, trade_simulation: null } });
    const server = fakeServer({ "GET /users/me": () => json(ME), "GET /analysis/:id": () => json(noMl) });
    renderApp(`/analyses/${TASK}`, server.fetch);
    const ml = await screen.findByRole("region", { name: "ML model" });
    expect(ml).toHaveTextContent("does not apply to this token");
    expect(screen.getByRole("region", { name: "Trade simulation" })).toHaveTextContent("The simulation did not run");
  });

  it("shows why an analysis failed", async () => {
    const failed = analysis({ status: "FAILED", result: null, error: { code: "x", message: "the workflow timed out" } });
    const server = fakeServer({ "GET /users/me": () => json(ME), "GET /analysis/:id": () => json(failed) });
    renderApp(`/analyses/${TASK}`, server.fetch);
    expect(await screen.findByRole("heading", { name: "The analysis failed" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("the workflow timed out");
  });
});

describe("history", () => {
  const base = { status: "COMPLETED", completed_at: null, links: { self: "x" } };
  const row = (n: number, chain: string, level: string | null, token = TOKEN) => ({
    ...base,
    task_id: String(n).repeat(32).slice(0, 32),
    token_address: token,
    chain,
    created_at: `2026-0${n}-01T00:00:00Z`,
    risk_score: level === null ? null : { LOW: 20, HIGH: 80, CRITICAL: 90 }[level]!,
    risk_level: level,
  });

  it("lists analyses newest first, pages on, and draws risk over time for a token analysed twice", async () => {
    const page1 = { items: [row(3, "ethereum", "HIGH"), row(2, "ethereum", "LOW")], next_cursor: "c1" };
    const page2 = { items: [row(1, "bsc", "CRITICAL", "0x" + "3".repeat(40))], next_cursor: null };
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/history": (req) => json(req.search.includes("cursor=c1") ? page2 : page1),
    });
    const { user } = renderApp("/history", server.fetch);
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(await screen.findByRole("heading", { name: "Risk over time" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(4));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(within(table).getByText("90 CRITICAL")).toBeInTheDocument();
    const history = server.calls.filter((c) => c.path === "/analysis/history");
    expect(history.map((c) => new URLSearchParams(c.search).get("cursor"))).toEqual([null, "c1"]);
    expect(history.every((c) => !c.search.includes("chain") && !c.search.includes("level"))).toBe(true);
  });

  it("asks the API for the chain and level chosen, keeps them in the URL and pages through short pages", async () => {
    // A fake API that filters and pages as the real one does; a filtered first page can be short.
    const all = [row(6, "bsc", "HIGH"), row(5, "ethereum", "HIGH"), row(4, "bsc", "LOW"), row(3, "bsc", null), row(2, "polygon", "HIGH"), row(1, "bsc", "HIGH")];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/history": (req) => {
        const q = new URLSearchParams(req.search);
        const matches = all.filter(
          (a) => (!q.get("chain") || a.chain === q.get("chain")) && (!q.get("level") || a.risk_level === q.get("level")),
        );
        if (q.get("level") === "HIGH" && !q.get("cursor")) return json({ items: [], next_cursor: "more" }); // read budget hit
        return json({ items: matches, next_cursor: null });
      },
    });
    const { user } = renderApp("/history", server.fetch);
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(7);

    await user.selectOptions(screen.getByLabelText("Chain"), "bsc");
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(5));
    expect(window.location.search).toBe("?chain=bsc");
    expect(new URLSearchParams(server.calls.at(-1)!.search).get("chain")).toBe("bsc");

    await user.selectOptions(screen.getByLabelText("Level"), "HIGH");
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(3));
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getByText(/HIGH/).textContent)).toEqual(["80 HIGH", "80 HIGH"]);
    expect(window.location.search).toBe("?chain=bsc&level=HIGH");
    const filtered = server.calls.filter((c) => c.search.includes("level=HIGH")).map((c) => new URLSearchParams(c.search));
    expect(filtered.map((q) => [q.get("chain"), q.get("cursor")])).toEqual([["bsc", null], ["bsc", "more"]]); // continued on its own
    expect(screen.queryByRole("heading", { name: "Risk over time" })).not.toBeInTheDocument();
    expect(screen.getByText(/Risk over time is drawn when no level filter/)).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Chain"), "polygon");
    await user.selectOptions(screen.getByLabelText("Level"), "LOW");
    expect(await screen.findByText("No analysis matches these filters.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(screen.queryByText(/No analyses yet/)).not.toBeInTheDocument();
  });

  it("follows short filtered pages on its own only up to five, then leaves it to Load more", async () => {
    let served = 0;
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/history": () => json({ items: [], next_cursor: `c${++served}` }), // a long history, no match yet
    });
    const { user } = renderApp("/history?level=CRITICAL", server.fetch);
    expect(await screen.findByText(/Nothing matches these filters in your most recent analyses/)).toBeInTheDocument();
    expect(served).toBe(5);
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(served).toBe(6));
    const cursors = server.calls.filter((c) => c.path === "/analysis/history").map((c) => new URLSearchParams(c.search).get("cursor"));
    expect(cursors).toEqual([null, "c1", "c2", "c3", "c4", "c5"]);
  });

  it("opens with the filters of a shared URL", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/history": () => json({ items: [row(1, "polygon", "LOW")], next_cursor: null }),
    });
    renderApp("/history?chain=polygon&level=LOW", server.fetch);
    expect(await screen.findByText("20 LOW")).toBeInTheDocument();
    expect(screen.getByLabelText("Chain")).toHaveValue("polygon");
    expect(screen.getByLabelText("Level")).toHaveValue("LOW");
    const q = new URLSearchParams(server.calls.find((c) => c.path === "/analysis/history")!.search);
    expect([q.get("chain"), q.get("level"), q.get("limit")]).toEqual(["polygon", "LOW", "20"]);
  });
});

describe("rate limits while reading", () => {
  it("waits as long as Retry-After says and tries again", async () => {
    const page = { items: [], next_cursor: null };
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/history": [
        () => apiError(429, "rate_limited", "rate limit exceeded", { "Retry-After": "0" }),
        () => json(page),
      ],
    });
    renderApp("/history", server.fetch);
    expect(await screen.findByText(/No analyses yet/)).toBeInTheDocument();
    expect(server.calls.filter((c) => c.path === "/analysis/history")).toHaveLength(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});

describe("API keys", () => {
  it("creates a key shown once with a copy button, lists and revokes it", async () => {
    let keys = [KEY];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /users/api-keys": () => json({ items: keys, next_cursor: null }),
      "POST /users/api-keys": () => json({ ...KEY, key_id: "ffeeddccbbaa0099", name: "ci", api_key: "mg_live_secret" }, 201),
      "DELETE /users/api-keys/:id": (req) => {
        keys = keys.filter((k) => !req.path.endsWith(k.key_id));
        return json(null, 204);
      },
    });
    const { user } = renderApp("/keys", server.fetch);
    expect(await screen.findByText("mg_live_ab…")).toBeInTheDocument();
    expect(screen.getAllByText("free").length).toBeGreaterThan(0);
    await user.type(screen.getByLabelText("Name"), "ci");
    await user.click(screen.getByLabelText("read (results and history)"));
    await user.click(screen.getByRole("button", { name: "Create key" }));
    expect(await screen.findByTestId("new-api-key")).toHaveTextContent("mg_live_secret");
    expect(screen.getByText("Copy it now: it is shown only once.")).toBeInTheDocument();
    expect(server.calls.find((c) => c.method === "POST")!.body).toEqual({
      name: "ci",
      scopes: ["analyze"],
      expires_in_days: null,
    });
    await user.click(screen.getByRole("button", { name: "Copy key" }));
    expect(await screen.findByText("Copied")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe("mg_live_secret");
    await user.click(screen.getByRole("button", { name: "I have stored it" }));
    expect(screen.queryByTestId("new-api-key")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Revoke key bot" }));
    await user.click(screen.getByRole("button", { name: "Confirm revoke" }));
    expect(await screen.findByText("No keys yet.")).toBeInTheDocument();
    expect(server.calls.some((c) => c.method === "DELETE" && c.path === `/users/api-keys/${KEY.key_id}`)).toBe(true);
  });
});
