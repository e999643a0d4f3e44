import { describe, expect, it } from "vitest";

import { repeatedTokens } from "../pages/HistoryPage";
import { pollDelay } from "../pages/AnalysisPage";
import { addressProblem } from "./address";
import { keccak256, toChecksumAddress } from "./keccak";
import { amount, flowTotals, smartMoneyView, wholeUnits } from "./smartMoney";
import { DEPLOYER, SMART, SMART_EXITED, SMART_MONEY, SYBIL, SYBIL_2, TOKEN } from "../test/fixtures";

describe("addressProblem", () => {
  it("accepts a contract address in any case", () => {
    expect(addressProblem(TOKEN)).toBeNull();
    expect(addressProblem(`  ${TOKEN.toLowerCase()} `)).toBeNull();
  });

  it.each([
    ["", "Paste the token's contract address."],
    ["5FbDB2315678afecb367f032d93F642f64180aa3", "A contract address starts with 0x."],
    ["0x5FbDB2315678afecb367f032d93F642f64180aZ3", "An address holds only the digits 0-9 and the letters a-f after 0x."],
    ["0x5FbDB2315678", "An address is 0x followed by 40 characters; this one has 12."],
    ["0x" + "0".repeat(40), "That is the zero address, not a token."],
  ])("refuses %j", (input, problem) => {
    expect(addressProblem(input)).toBe(problem);
  });
});

describe("EIP-55 checksum", () => {
  it("hashes with Keccak-256", () => {
    const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    expect(hex(keccak256(new Uint8Array()))).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(hex(keccak256(new TextEncoder().encode("abc")))).toBe(
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
    // Two blocks (more than the 136-byte rate); the value is eth_utils.keccak's.
    expect(hex(keccak256(new TextEncoder().encode("a".repeat(200))))).toBe(
      "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d",
    );
  });

  it.each([
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
  ])("spells %s as EIP-55 does", (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(addressProblem(address)).toBeNull();
  });

  it("refuses a mixed-case address whose checksum is wrong", () => {
    const typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
    expect(addressProblem(typo)).toContain("checksum");
    expect(addressProblem(typo.toLowerCase())).toBeNull();
  });
});

describe("polling", () => {
  it("backs off from 0.5 s to at most 5 s", () => {
    const delays = Array.from({ length: 10 }, (_, i) => pollDelay(i));
    expect(delays[0]).toBe(500);
    expect(delays[1]).toBe(750);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(Math.max(...delays)).toBe(5000);
  });
});

describe("history", () => {
  const item = (task: string, address: string, created: string, score: number | null) => ({
    task_id: task,
    status: "COMPLETED" as const,
    token_address: address,
    chain: "ethereum" as const,
    created_at: created,
    completed_at: created,
    risk_score: score,
    risk_level: score === null ? null : "HIGH",
    links: { self: `/analysis/${task}` },
  });

  it("finds tokens analysed more than once, oldest first, ignoring unscored runs", () => {
    const series = repeatedTokens([
      item("3", TOKEN, "2026-03-01T00:00:00Z", 70),
      item("2", "0x" + "2".repeat(40), "2026-02-01T00:00:00Z", 10),
      item("1", TOKEN.toLowerCase(), "2026-01-01T00:00:00Z", 60),
      item("0", TOKEN, "2025-12-01T00:00:00Z", null),
    ]);
    expect([...series.keys()]).toEqual([`ethereum:${TOKEN.toLowerCase()}`]);
    expect(series.get(`ethereum:${TOKEN.toLowerCase()}`)!.map((a) => a.risk_score)).toEqual([60, 70]);
  });
});

describe("smartMoneyView", () => {
  it("reads the agent's score, smart wallets, deployer-linked wallets, whale flows and entities", () => {
    const view = smartMoneyView(SMART_MONEY);
    expect(view.signal).toBe("holding");
    expect(view.score).toBe(43);
    expect(view.confidence).toBe(1);
    expect(view.summary).toBe("1 smart-money wallet holds this token, 2.37 % of the supply together; 1 more sold out.");

    const [alpha, exited] = view.smartWallets;
    expect(alpha).toMatchObject({ address: SMART, name: "Alpha Fund", score: 82, holding: true, pnlUnit: "ETH" });
    expect(alpha!.sharePct).toBeCloseTo(2.374, 3);
    expect(alpha!.entryPrice).toBeCloseTo(4.212e-8, 11);
    expect(alpha!.unrealisedPnl).toBeCloseTo(1.876, 3);
    expect(alpha!.realisedPnl).toBeNull();
    expect(exited).toMatchObject({ address: SMART_EXITED, name: "", holding: false, sharePct: 0, unrealisedPnl: null });
    expect(exited!.realisedPnl).toBeCloseTo(2.943, 3);

    expect(view.deployer).toEqual({ address: DEPLOYER, how: "first mint (Transfer from 0x0)" });
    expect(view.deployerLinked.map((w) => w.address)).toEqual([SYBIL, SYBIL_2]);
    expect(view.deployerLinked[1]!.path).toEqual([
      { from: DEPLOYER, to: SYBIL, via: "ETH", block: 93, amount: 1 },
      { from: SYBIL, to: SYBIL_2, via: "ETH", block: 94, amount: 0.5 },
    ]);
    expect(view.deployerLinked[1]!.soldSharePct).toBeCloseTo(1.054, 3);
    expect(smartMoneyView(SMART_MONEY, "bsc").deployerLinked[0]!.path[0]!.via).toBe("BNB");

    const whales = view.whales!;
    expect([whales.series["24h"].length, whales.series["7d"].length]).toEqual([24, 28]);
    expect([whales.holders, whales.exiting, whales.net7dSharePct]).toEqual([2, 1, -50]);
    const week = flowTotals(whales.series["7d"]);
    expect(week.bought).toBeCloseTo(177037136.007, 2);
    expect(week.sold).toBeCloseTo(163298704.146, 2);
    expect(week.net).toBeCloseTo(13738431.861, 2);
    expect(view.entities.map((e) => [e.label, e.category])).toEqual([
      ["LocalEx: Hot Wallet 1", "cex"],
      ["", "mev_bot"],
    ]);
  });

  it("says what it could not tell, and tolerates missing or malformed fields", () => {
    // The agent on a token too busy for its log budget: no numbers, only the reason.
    const busy = smartMoneyView({ smart_money_score: null, insufficient_data: ["more than 20000 logs"], status: "DEGRADED" });
    expect(busy.score).toBeNull();
    expect(busy.summary).toBe("The smart-money check could not tell: more than 20000 logs.");
    expect(busy.whales).toBeNull();
    expect(smartMoneyView({ signal: null, status: "FAILED" }).summary).toBe("The smart-money check failed for this token.");
    expect(smartMoneyView({ signal: "absent", smart_wallets: [] }).summary).toContain("That is context, not a risk.");
    const junk = smartMoneyView({
      signal: "exited",
      smart_wallets: [{ address: "0xabc", holding: false, realised_pnl: "lots" }, "junk", null],
      deployer_linked: [{ address: "0xdef", funding_path: [{ from: "0x1", to: "0xdef", via: "token", amount: "x" }] }],
      whale_flows: { series: { "24h": [{ start: "2026-01-01T00:00:00+00:00", bought: 3 }] }, exiting: "no" },
    });
    expect(junk.summary).toBe("1 smart-money wallet traded this token and sold out: none holds it now.");
    expect(junk.smartWallets).toEqual([expect.objectContaining({ address: "0xabc", realisedPnl: null, sharePct: null })]);
    expect(junk.deployerLinked[0]!.path[0]).toMatchObject({ via: "token", amount: null, block: null });
    expect(junk.whales).toMatchObject({ exiting: 0, holders: 0 });
    expect(junk.whales!.series["24h"]).toEqual([{ start: "2026-01-01T00:00:00+00:00", bought: 3, sold: 0, net: 0 }]);
    expect(junk.whales!.series["7d"]).toEqual([]);
  });

  it("writes amounts for people", () => {
    expect([amount(177037136.007), amount(1.8759), amount(0.04213), amount(4.212036e-8), amount(0), amount(null)]).toEqual([
      "177,037,136",
      "1.88",
      "0.0421",
      "4.21e-8",
      "0",
      "n/a",
    ]);
    expect(wholeUnits("1500000000000000000", 18)).toBe(1.5);
    expect(wholeUnits(undefined, 18)).toBeNull();
  });
});
