import { describe, expect, it } from "vitest";

import { repeatedTokens } from "../pages/HistoryPage";
import { pollDelay } from "../pages/AnalysisPage";
import { addressProblem } from "./address";
import { keccak256, toChecksumAddress } from "./keccak";
import { smartMoneyView } from "./smartMoney";
import { TOKEN } from "../test/fixtures";

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
  it("summarises holders and tolerates missing fields", () => {
    const view = smartMoneyView({
      signal: "holding",
      wallets_read: 4,
      share_of_supply: 0.05,
      holders: [{ address: "0xabc", label: "", share_of_supply: 0.05 }, { address: "0xdef" }, "junk"],
    });
    expect(view.summary).toBe("2 of 4 tracked smart-money wallets hold this token, 5.00 % of the supply together.");
    expect(view.holders.map((h) => h.sharePct)).toEqual([5, null]);
    expect(smartMoneyView({ signal: "absent", tracked_wallets: 3 }).summary).toContain("None of the 3");
    expect(smartMoneyView({ status: "DEGRADED", signal: null }).summary).toContain("could not tell");
  });
});
