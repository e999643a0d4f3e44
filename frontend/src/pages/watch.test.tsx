import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Subscription, Watch } from "../api/types";
import { dateTime } from "../lib/format";
import { endpointProblem, normaliseEndpoint, thresholdProblem, toThreshold } from "../lib/watch";
import { apiError, fakeServer, json } from "../test/fakeServer";
import { analysis, subscription, TASK, TOKEN, watched } from "../test/fixtures";
import { renderApp } from "../test/render";

const ME = { user_id: "u1", email: "trader@example.com", created_at: "2026-01-01T00:00:00Z", tier: "free" };
const OTHER = "0x" + "ab".repeat(20);
const RESCAN = "fedcba9876543210fedcba9876543210";

describe("watchlist", () => {
  it("lists watched tokens with their threshold, next rescan and last check, and pages on", async () => {
    const page1 = {
      items: [
        watched({ threshold: { kind: "level", level: "HIGH" }, last_check: { task_id: RESCAN, checked_at: "2026-12-02T08:00:00Z", risk_level: "HIGH", risk_score: 79 } }),
        watched({ chain: "bsc", token_address: OTHER, last_check: null, next_rescan_at: "2020-01-01T00:00:00Z" }),
      ],
      next_cursor: "w1",
    };
    const page2 = { items: [watched({ chain: "polygon", threshold: { kind: "score", score: 60 } })], next_cursor: null };
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /watchlist": (req) => json(req.search.includes("cursor=w1") ? page2 : page1),
    });
    const { user } = renderApp("/watchlist", server.fetch);
    const table = await screen.findByRole("table", { name: "Watched tokens" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("Level ≥ HIGH");
    expect(rows[1]).toHaveTextContent(dateTime("2099-12-02T14:00:00Z"));
    expect(within(rows[1]!).getByText("79 HIGH")).toHaveClass("level-pill", "level-high");
    expect(within(rows[1]!).getByRole("link", { name: /^Last check of 0x5FbDB2/ })).toHaveAttribute("href", `/analyses/${RESCAN}`);
    expect(rows[2]).toHaveTextContent("BNB Smart Chain");
    expect(rows[2]).toHaveTextContent("Any change");
    expect(rows[2]).toHaveTextContent("Due now");
    expect(rows[2]).toHaveTextContent("Not checked yet");

    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(4));
    expect(within(table).getAllByRole("row")[3]).toHaveTextContent("Score ≥ 60");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    const reads = server.calls.filter((c) => c.path === "/watchlist").map((c) => new URLSearchParams(c.search));
    expect(reads.map((q) => [q.get("cursor"), q.get("limit")])).toEqual([
      [null, "20"],
      ["w1", "20"],
    ]);
  });

  it("checks the address and the score before sending, then watches the token with its threshold", async () => {
    let items: Watch[] = [];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /watchlist": () => json({ items, next_cursor: null }),
      "POST /watchlist": (req) => {
        const body = req.body as Watch;
        const entry = watched({ ...body, token_address: TOKEN, last_check: null });
        items = [entry];
        return json(entry, 201);
      },
    });
    const { user } = renderApp("/watchlist", server.fetch);
    expect(await screen.findByText(/Nothing watched yet/)).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Watch a token" });
    const address = within(form).getByLabelText("Token contract address");
    await user.type(address, TOKEN.toLowerCase().replace("0x5fb", "0x5Fb"));
    await user.click(within(form).getByRole("button", { name: "Watch" }));
    expect(within(form).getByText(/capital letters do not match/)).toBeInTheDocument();
    expect(address).toHaveAttribute("aria-invalid", "true");

    await user.clear(address);
    await user.type(address, TOKEN);
    await user.selectOptions(within(form).getByLabelText("Chain"), "bsc");
    await user.selectOptions(within(form).getByLabelText("Alert on"), "score");
    const score = within(form).getByLabelText("Score (0–100)");
    await user.clear(score);
    await user.type(score, "150");
    await user.click(within(form).getByRole("button", { name: "Watch" }));
    expect(within(form).getByText("The score is a whole number from 0 to 100.")).toBeInTheDocument();
    expect(server.calls.some((c) => c.method === "POST")).toBe(false);

    await user.selectOptions(within(form).getByLabelText("Alert on"), "level");
    await user.selectOptions(within(form).getByLabelText("Level"), "CRITICAL");
    await user.click(within(form).getByRole("button", { name: "Watch" }));
    expect(await within(form).findByRole("status")).toHaveTextContent("Now watching 0x5FbDB2…180aa3 (Level ≥ CRITICAL).");
    expect(server.calls.find((c) => c.method === "POST")!.body).toEqual({
      token_address: TOKEN,
      chain: "bsc",
      threshold: { kind: "level", level: "CRITICAL" },
    });
    expect(address).toHaveValue("");
    const table = await screen.findByRole("table", { name: "Watched tokens" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Level ≥ CRITICAL");
  });

  it("shows the tier limit readably", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /watchlist": () => json({ items: [watched()], next_cursor: null }),
      "POST /watchlist": () => apiError(409, "conflict", "at most 10 watched tokens on the free tier; remove one first"),
    });
    const { user } = renderApp("/watchlist", server.fetch);
    const form = await screen.findByRole("form", { name: "Watch a token" });
    await user.type(within(form).getByLabelText("Token contract address"), OTHER);
    await user.click(within(form).getByRole("button", { name: "Watch" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(
      "At most 10 watched tokens on the free tier; remove one first.",
    );
  });

  it("changes a threshold by posting again, and stops watching a token", async () => {
    let items: Watch[] = [watched()];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /watchlist": () => json({ items, next_cursor: null }),
      "POST /watchlist": (req) => {
        items = [watched({ threshold: (req.body as Watch).threshold })];
        return json(items[0], 200);
      },
      "DELETE /watchlist/:chain/:address": () => {
        items = [];
        return json(null, 204);
      },
    });
    const { user } = renderApp("/watchlist", server.fetch);
    const table = await screen.findByRole("table", { name: "Watched tokens" });
    await user.click(within(table).getByRole("button", { name: "Change the threshold of 0x5FbDB2…180aa3" }));
    const edit = within(table).getByRole("form", { name: "New threshold for 0x5FbDB2…180aa3" });
    await user.selectOptions(within(edit).getByLabelText("Alert on"), "score");
    const score = within(edit).getByLabelText("Score (0–100)");
    await user.clear(score);
    expect(within(edit).getByRole("button", { name: "Save" })).toBeDisabled();
    await user.type(score, "85");
    await user.click(within(edit).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Score ≥ 85"));
    expect(server.calls.find((c) => c.method === "POST")!.body).toEqual({
      token_address: TOKEN,
      chain: "ethereum",
      threshold: { kind: "score", score: 85 },
    });

    await user.click(within(table).getByRole("button", { name: "Stop watching 0x5FbDB2…180aa3" }));
    await user.click(within(table).getByRole("button", { name: "Confirm remove" }));
    expect(await screen.findByText(/Nothing watched yet/)).toBeInTheDocument();
    expect(server.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([`/watchlist/ethereum/${TOKEN}`]);
  });
});

describe("alert destinations", () => {
  it("adds a webhook: checked first, then its signing secret shown once with a copy button", async () => {
    let items: Subscription[] = [];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /alerts/subscriptions": () => json({ items, next_cursor: null }),
      "POST /alerts/subscriptions": (req) => {
        const sub = subscription({ ...(req.body as Subscription), status: "pending_confirmation" });
        items = [sub];
        return json({ ...sub, signing_secret: "whsec_0123456789abcdef", confirmation_sent: true }, 201);
      },
    });
    const { user } = renderApp("/alerts", server.fetch);
    expect(await screen.findByText("No destinations yet: alerts have nowhere to go.")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Add a destination" });
    const url = within(form).getByLabelText("Webhook URL");
    await user.type(url, "http://hooks.example.com/moneygrow");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(within(form).getByText("A webhook URL must start with https://.")).toBeInTheDocument();
    expect(url).toHaveAttribute("aria-invalid", "true");
    expect(server.calls.some((c) => c.method === "POST")).toBe(false);

    await user.clear(url);
    await user.type(url, " https://hooks.example.com/moneygrow ");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(await screen.findByTestId("signing-secret")).toHaveTextContent("whsec_0123456789abcdef");
    expect(server.calls.find((c) => c.method === "POST")!.body).toEqual({
      channel: "webhook",
      endpoint: "https://hooks.example.com/moneygrow",
    });
    const created = screen.getByRole("region", { name: "Webhook added: its signing secret" });
    expect(created).toHaveTextContent("Copy it now: it is shown only once.");
    expect(created).toHaveTextContent(/HMAC-SHA256 of <t>\. \+ the raw body.*MoneyGrow-Signature: t=…,v1=….*older than 5 minutes/);
    expect(created).toHaveTextContent("nothing else is sent until your webhook visits the confirm_url in it");
    await user.click(within(created).getByRole("button", { name: "Copy secret" }));
    expect(await within(created).findByText("Copied")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe("whsec_0123456789abcdef");

    const table = await screen.findByRole("table", { name: "Alert destinations" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("Pending confirmation");
    expect(within(table).queryByText("whsec_0123456789abcdef")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "I have stored it" }));
    expect(screen.queryByTestId("signing-secret")).not.toBeInTheDocument();
  });

  it("says when the webhook refused its confirmation event", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /alerts/subscriptions": () => json({ items: [], next_cursor: null }),
      "POST /alerts/subscriptions": () =>
        json({ ...subscription({ status: "pending_confirmation" }), signing_secret: "whsec_x", confirmation_sent: false, confirmation_error: "HTTP 500" }, 201),
    });
    const { user } = renderApp("/alerts", server.fetch);
    const form = await screen.findByRole("form", { name: "Add a destination" });
    await user.type(within(form).getByLabelText("Webhook URL"), "https://hooks.example.com/moneygrow");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    const created = await screen.findByRole("region", { name: "Webhook added: its signing secret" });
    expect(within(created).getByRole("alert")).toHaveTextContent("Your URL did not accept the confirmation event (HTTP 500).");
  });

  it("checks email and phone numbers, sends E.164, lists statuses and deletes a destination", async () => {
    let items: Subscription[] = [
      subscription(),
      subscription({ subscription_id: "b".repeat(32), channel: "email", endpoint: "me@example.com", status: "pending_confirmation" }),
    ];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /alerts/subscriptions": () => json({ items, next_cursor: null }),
      "POST /alerts/subscriptions": (req) => {
        const sub = subscription({ ...(req.body as Pick<Subscription, "channel" | "endpoint">), subscription_id: "c".repeat(32) });
        items = [...items, sub];
        return json(sub, 201);
      },
      "DELETE /alerts/subscriptions/:id": (req) => {
        items = items.filter((s) => !req.path.endsWith(s.subscription_id));
        return json(null, 204);
      },
    });
    const { user } = renderApp("/alerts", server.fetch);
    const table = await screen.findByRole("table", { name: "Alert destinations" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Webhook");
    expect(rows[1]).toHaveTextContent("Confirmed");
    expect(rows[2]).toHaveTextContent("me@example.com");
    expect(rows[2]).toHaveTextContent("Pending confirmation");

    const form = screen.getByRole("form", { name: "Add a destination" });
    await user.selectOptions(within(form).getByLabelText("Channel"), "email");
    await user.type(within(form).getByLabelText("Email address"), "not-an-address");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(within(form).getByText("That is not an email address.")).toBeInTheDocument();

    await user.selectOptions(within(form).getByLabelText("Channel"), "sms");
    const phone = within(form).getByLabelText("Phone number (E.164)");
    await user.clear(phone);
    await user.type(phone, "0155 5123");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(within(form).getByText(/E.164 form: \+ and the country code/)).toBeInTheDocument();
    await user.clear(phone);
    await user.type(phone, "+1 (555) 123-4567");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(await screen.findByRole("region", { name: "SMS destination added" })).toHaveTextContent("Reply STOP");
    expect(server.calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { channel: "sms", endpoint: "+15551234567" },
    ]);
    expect(screen.queryByTestId("signing-secret")).not.toBeInTheDocument();
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(4));

    await user.click(within(table).getByRole("button", { name: "Delete email destination me@example.com" }));
    await user.click(within(table).getByRole("button", { name: "Confirm delete" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(3));
    expect(server.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      `/alerts/subscriptions/${"b".repeat(32)}`,
    ]);
  });

  it("shows the tier limit readably", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /alerts/subscriptions": () => json({ items: [], next_cursor: null }),
      "POST /alerts/subscriptions": () => apiError(409, "conflict", "at most 3 alert destinations on the free tier"),
    });
    const { user } = renderApp("/alerts", server.fetch);
    const form = await screen.findByRole("form", { name: "Add a destination" });
    await user.selectOptions(within(form).getByLabelText("Channel"), "email");
    await user.type(within(form).getByLabelText("Email address"), "me@example.com");
    await user.click(within(form).getByRole("button", { name: "Add destination" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("At most 3 alert destinations on the free tier.");
  });
});

describe("watch from an analysis", () => {
  it("adds the analysed token with any change, then says Watching", async () => {
    let items: Watch[] = [];
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/:id": () => json(analysis()),
      "GET /watchlist": () => json({ items, next_cursor: null }),
      "POST /watchlist": (req) => {
        items = [watched({ last_check: null, ...(req.body as Partial<Watch>) })];
        return json(items[0], 201);
      },
    });
    const { user } = renderApp(`/analyses/${TASK}`, server.fetch);
    const button = await screen.findByRole("button", { name: "Watch this token" });
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    expect(await screen.findByText("Watching")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Your watchlist" })).toHaveAttribute("href", "/watchlist");
    expect(screen.queryByRole("button", { name: "Watch this token" })).not.toBeInTheDocument();
    expect(server.calls.find((c) => c.method === "POST")!.body).toEqual({
      token_address: TOKEN,
      chain: "ethereum",
      threshold: { kind: "any_change" },
    });
    expect(new URLSearchParams(server.calls.find((c) => c.path === "/watchlist")!.search).get("limit")).toBe("100");
  });

  it("says Watching, with no button, for a token already watched (whatever the address case)", async () => {
    const server = fakeServer({
      "GET /users/me": () => json(ME),
      "GET /analysis/:id": () => json(analysis()),
      "GET /watchlist": () => json({ items: [watched({ token_address: TOKEN.toLowerCase() })], next_cursor: null }),
    });
    renderApp(`/analyses/${TASK}`, server.fetch);
    expect(await screen.findByText("Watching")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Watch this token" })).not.toBeInTheDocument();
    expect(server.calls.some((c) => c.method === "POST")).toBe(false);
  });
});

describe("watch and alert checks", () => {
  it("validates thresholds", () => {
    expect(thresholdProblem({ kind: "score", level: "HIGH", score: "101" })).not.toBeNull();
    expect(thresholdProblem({ kind: "score", level: "HIGH", score: "7.5" })).not.toBeNull();
    expect(thresholdProblem({ kind: "score", level: "HIGH", score: " 0 " })).toBeNull();
    expect(toThreshold({ kind: "score", level: "HIGH", score: "100" })).toEqual({ kind: "score", score: 100 });
    expect(toThreshold({ kind: "any_change", level: "HIGH", score: "x" })).toEqual({ kind: "any_change" });
  });

  it("validates destinations as the API does", () => {
    expect(endpointProblem("webhook", "https://example.com/hook")).toBeNull();
    expect(endpointProblem("webhook", "http://127.0.0.1:9000/hook")).toBeNull(); // the local stack only
    expect(endpointProblem("webhook", "ftp://example.com")).toMatch(/https/);
    expect(endpointProblem("webhook", "https://user:pw@example.com")).toMatch(/user name/);
    expect(endpointProblem("webhook", "example.com")).toMatch(/not a URL/);
    expect(endpointProblem("email", "a@b.co")).toBeNull();
    expect(endpointProblem("email", "a@b")).not.toBeNull();
    expect(endpointProblem("sms", "+447911123456")).toBeNull();
    expect(endpointProblem("sms", "+0447911123456")).not.toBeNull();
    expect(endpointProblem("sms", "+12345")).not.toBeNull();
    expect(normaliseEndpoint("sms", " +44 7911 123-456 ")).toBe("+447911123456");
  });
});
