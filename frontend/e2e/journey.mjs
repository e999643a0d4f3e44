// The trader's journey in a real headless Chromium (Debian's, driven by playwright-core: no browser
// download) against the running stack: sign up → create an API key → analyze a zoo token → see the
// findings the backend produced → watch it → history → revoke the key → the watchlist → a webhook
// alert destination (its signed confirmation received and confirmed) → sign out. Saves a screenshot of each
// screen, and fails on any console error, page error, CSP violation or request to another origin.
//
//   WEB_URL=http://127.0.0.1:8080 TOKEN_ADDRESS=0x... [SCREENSHOTS=dir] [CHROMIUM=/usr/bin/chromium] \
//     node e2e/journey.mjs
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";

import { chromium } from "playwright-core";

const WEB = process.env.WEB_URL ?? "http://127.0.0.1:8080";
const TOKEN = process.env.TOKEN_ADDRESS;
const SHOTS = resolve(process.env.SCREENSHOTS ?? "../build/web-screenshots");
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
const EMAIL = `trader-${Date.now()}@example.com`;
const PASSWORD = "a long passphrase for the browser test";
assert.ok(TOKEN, "TOKEN_ADDRESS is required");
mkdirSync(SHOTS, { recursive: true });

const started = Date.now();
const problems = [];
const screenshots = [];
const origins = new Set();
const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: WEB });
const page = await context.newPage();
page.on("console", (msg) => {
  if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
});
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("request", (request) => origins.add(new URL(request.url()).origin));
await page.addInitScript(() => {
  document.addEventListener("securitypolicyviolation", (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
  });
});

async function shot(name, { fullPage = true } = {}) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  screenshots.push(path);
}

const heading = (name) => page.getByRole("heading", { name });

// A webhook receiver on this machine (the dev stack allows http://127.0.0.1 webhooks): it keeps each
// POST with its headers, so the journey can check the signature with the secret the page showed.
const deliveries = [];
let delivered = () => undefined;
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    deliveries.push({ headers: request.headers, body: Buffer.concat(chunks) });
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
    delivered();
  });
});
await new Promise((ready) => receiver.listen(0, "127.0.0.1", ready));
const HOOK = `http://127.0.0.1:${receiver.address().port}/moneygrow`;

// The smart-money card with its score, and its whale-flow chart once the lazy chunk has drawn it.
async function smartMoneyShown() {
  const card = page.getByRole("region", { name: "Smart money" });
  await card.getByRole("meter", { name: "Smart-money score" }).waitFor();
  const caption = card.getByTestId("whale-flow-caption");
  if ((await caption.count()) && (await caption.textContent()).startsWith("DEX trades")) {
    await card.locator(".recharts-bar-rectangle").first().waitFor();
  }
}

try {
  // 1. A visitor lands on the sign-in screen.
  await page.goto(WEB);
  await heading("Sign in").waitFor();
  assert.equal(new URL(page.url()).pathname, "/sign-in");
  await shot("01-sign-in");

  // 2. Sign up (and in).
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Email", { exact: true }).fill(EMAIL);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await shot("02-sign-up");
  await page.getByRole("button", { name: "Sign up" }).click();
  await heading("Is this token a scam?").waitFor();
  await page.getByText(EMAIL).waitFor();

  // 3. Create an API key: shown once, copied.
  await page.getByRole("link", { name: "API keys", exact: true }).click();
  await page.getByLabel("Name").fill("browser e2e");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent()).trim();
  assert.ok(secret.length > 20, "the new key is shown");
  await page.getByRole("button", { name: "Copy key" }).click();
  await page.getByText("Copied", { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await page.getByRole("cell", { name: "browser e2e", exact: true }).waitFor();
  await shot("03-api-key-created");

  // 4. Analyze a zoo token: the address is checked first, then the progress view, then the result.
  await page.getByRole("link", { name: "Analyze", exact: true }).click();
  await page.getByLabel("Token contract address").fill(TOKEN.slice(0, 20));
  await page.getByRole("button", { name: "Analyze" }).click();
  await page.getByText("An address is 0x followed by 40 characters; this one has 18.").waitFor();
  await shot("04-analyze-invalid-address");
  await page.getByLabel("Token contract address").fill(TOKEN);
  await page.getByRole("button", { name: "Analyze" }).click();
  await page.waitForURL(/\/analyses\/[0-9a-f]{32}$/);
  const taskId = page.url().split("/").pop();
  await page.getByRole("heading", { name: /^Analysing / }).or(heading(/^Findings/)).first().waitFor();
  await shot("05-progress", { fullPage: false });
  await heading(/^Findings \(\d+\)$/).waitFor({ timeout: 120_000 });
  await smartMoneyShown();
  await shot("06-result");

  // 5. The page shows what the backend produced (read with the new API key, as a script would).
  const apiUrl = (await (await page.request.get(`${WEB}/config.json`)).json()).apiUrl;
  const response = await page.request.get(`${apiUrl}/analysis/${taskId}`, { headers: { "X-API-Key": secret } });
  assert.equal(response.status(), 200);
  const body = await response.json();
  assert.equal(body.status, "COMPLETED");
  const result = body.result;
  const gauge = page.getByRole("meter", { name: "Overall risk" });
  assert.equal(await gauge.getAttribute("aria-valuenow"), String(result.risk_score));
  assert.ok((await gauge.textContent()).includes(result.risk_level));
  assert.ok(result.heuristic_risks.length > 0, "the zoo token has findings");
  const findings = page.getByRole("region", { name: /^Findings/ });
  for (const finding of result.heuristic_risks) {
    await findings.getByText(finding.reason, { exact: true }).first().waitFor();
  }
  const groups = await findings.getByRole("heading", { level: 3 }).allTextContents();
  const severities = [...new Set(result.heuristic_risks.map((f) => f.severity))];
  assert.deepEqual(groups.map((g) => g.split(" ")[0]), ["CRITICAL", "HIGH", "MEDIUM", "LOW"].filter((s) => severities.includes(s)));
  if (result.trade_simulation?.sell_tax != null) {
    const sim = page.getByRole("region", { name: "Trade simulation" });
    await sim.getByText(`${(result.trade_simulation.sell_tax * 100).toFixed(1)} %`).first().waitFor();
  }
  for (const advice of result.recommendations) await page.getByText(advice, { exact: true }).first().waitFor();
  // The smart-money card shows the agent's score, its smart wallets and the deployer-funded wallets.
  const smart = result.smart_money_analysis;
  const card = page.getByRole("region", { name: "Smart money" });
  const smartScore = card.getByRole("meter", { name: "Smart-money score" });
  assert.equal(await smartScore.getAttribute("aria-valuenow"), smart.smart_money_score == null ? null : String(smart.smart_money_score));
  assert.equal(await card.getByRole("table", { name: "Smart wallets" }).getByRole("row").count(), (smart.smart_wallets ?? []).length && smart.smart_wallets.length + 1);
  if (Array.isArray(smart.deployer_linked)) {
    assert.equal(await card.getByRole("table", { name: "Deployer-linked wallets" }).getByRole("row").count(), smart.deployer_linked.length && smart.deployer_linked.length + 1);
  }

  // Watch it (any change): the button turns into "Watching".
  await page.getByRole("button", { name: "Watch this token" }).click();
  await page.getByText("Watching", { exact: true }).waitFor();

  // 6. The shareable URL opens the same analysis (a reload: the session survives in this tab).
  await page.reload();
  await heading(/^Findings/).waitFor();
  await smartMoneyShown();
  await page.getByText("Watching", { exact: true }).waitFor(); // the API says it is watched

  // 7. Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("07-result-phone");
  await page.setViewportSize({ width: 1280, height: 900 });

  // 8. Keyboard only: analyse the same token again (a second point for "risk over time").
  await page.goto(`${WEB}/`);
  await heading("Is this token a scam?").waitFor();
  let focused = "";
  for (let i = 0; i < 20 && focused !== "token_address"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.getAttribute("name") ?? "");
  }
  assert.equal(focused, "token_address", "the address field is reachable with Tab");
  await page.keyboard.type(TOKEN);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname.startsWith("/analyses/") && !url.pathname.endsWith(taskId));
  await heading(/^Findings/).waitFor({ timeout: 120_000 });

  // 9. History: both analyses, the filter, and the risk-over-time chart.
  await page.getByRole("link", { name: "History", exact: true }).click();
  await heading("Your analyses").waitFor();
  const rows = page.getByRole("table").getByRole("row");
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length >= 2);
  assert.ok((await rows.count()) >= 3);
  await heading("Risk over time").waitFor();
  await page.locator(".recharts-line").first().waitFor({ state: "attached" }); // flat when the score did not change
  await shot("08-history");
  // The filters are the API's (GET /analysis/history?level=): both analyses have this level, none the other.
  await page.getByLabel("Level").selectOption(result.risk_level);
  await page.waitForFunction(
    (level) => new URL(location.href).searchParams.get("level") === level && document.querySelectorAll("table tbody tr").length === 2,
    result.risk_level,
  );
  await page.getByLabel("Level").selectOption(result.risk_level === "LOW" ? "CRITICAL" : "LOW");
  await page.getByText("No analysis matches these filters").waitFor();
  await page.getByLabel("Level").selectOption("");

  // 10. Revoke the key; it stops working.
  await page.getByRole("link", { name: "API keys", exact: true }).click();
  await page.getByRole("button", { name: "Revoke key browser e2e" }).click();
  await page.getByRole("button", { name: "Confirm revoke" }).click();
  await page.getByText("No keys yet.").waitFor();
  await shot("09-key-revoked");
  const revoked = await page.request.get(`${apiUrl}/analysis/history`, { headers: { "X-API-Key": secret } });
  assert.equal(revoked.status(), 401, "a revoked key is refused");

  // 11. The watchlist: the token watched from its analysis, with its threshold and next rescan (a
  // rescan may already have run: the dev stack rescans every minute; the journey does not wait for one).
  await page.getByRole("link", { name: "Watchlist", exact: true }).click();
  await heading("Watchlist").waitFor();
  const watchRow = page.getByRole("table", { name: "Watched tokens" }).getByRole("row").filter({ hasText: `${TOKEN.slice(0, 8)}…${TOKEN.slice(-6)}` });
  await watchRow.waitFor();
  assert.ok((await watchRow.textContent()).includes("Any change"));
  const lastCheck = watchRow.getByRole("link", { name: /^Last check of / });
  const rescanned = (await lastCheck.count()) > 0;
  if (rescanned) assert.match(await lastCheck.getAttribute("href"), /^\/analyses\/[0-9a-f]{32}$/);
  await shot("10-watchlist");

  // 12. Alerts: add a webhook by keyboard (Enter submits); its signing secret is shown once and copied,
  // and signs the subscription.confirmation event the receiver got; visiting its confirm_url confirms it.
  await page.getByRole("link", { name: "Alerts", exact: true }).click();
  await heading("Alert destinations").waitFor();
  const confirmation = new Promise((resolve) => (delivered = resolve));
  await page.getByLabel("Webhook URL").fill(HOOK);
  await page.getByLabel("Webhook URL").press("Enter");
  const signingSecret = (await page.getByTestId("signing-secret").textContent()).trim();
  await page.getByRole("button", { name: "Copy secret" }).click();
  await page.getByText("Copied", { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), signingSecret);
  await page.getByRole("table", { name: "Alert destinations" }).getByText("Pending confirmation").waitFor();
  await shot("11-alerts");
  await confirmation;
  const event = deliveries.at(-1);
  assert.equal(event.headers["moneygrow-event"], "subscription.confirmation");
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(event.headers["moneygrow-signature"]) ?? [];
  const expected = createHmac("sha256", signingSecret).update(`${t}.`).update(event.body).digest();
  assert.ok(v1 && timingSafeEqual(Buffer.from(v1, "hex"), expected), "the delivery is signed with the secret the page showed");
  const confirmed = await page.request.get(JSON.parse(event.body.toString()).confirm_url);
  assert.equal(confirmed.status(), 200);
  await page.reload();
  await page.getByRole("table", { name: "Alert destinations" }).getByText("Confirmed", { exact: true }).waitFor();
  assert.equal(await page.getByTestId("signing-secret").count(), 0, "the secret is shown only once");

  // Phone width: the watchlist's rows become cards, nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("link", { name: "Watchlist", exact: true }).click();
  await page.getByText(`${TOKEN.slice(0, 8)}…${TOKEN.slice(-6)}`, { exact: true }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll");
  await shot("12-watchlist-phone");
  await page.setViewportSize({ width: 1280, height: 900 });

  // 13. Sign out.
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading("Sign in").waitFor();

  const allowed = new Set([new URL(WEB).origin, new URL(apiUrl).origin]);
  const foreign = [...origins].filter((o) => !allowed.has(o) && !o.startsWith("data:"));
  assert.deepEqual(foreign, [], "no request leaves the local stack (no CDN)");
  assert.deepEqual(problems, [], "no console errors, page errors or CSP violations");
  const report = { ok: true, seconds: (Date.now() - started) / 1000, task_id: taskId, risk_level: result.risk_level, findings: result.heuristic_risks.length, watched_token_rescanned: rescanned, screenshots };
  writeFileSync(join(SHOTS, "report.json"), JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report));
} catch (error) {
  await shot("failure").catch(() => undefined);
  console.error(`problems seen: ${JSON.stringify(problems)}`);
  throw error;
} finally {
  await browser.close();
  receiver.close();
}
