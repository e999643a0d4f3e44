import type { AnalysisResponse, AnalysisResult } from "../api/types";

export const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const TASK = "0123456789abcdef0123456789abcdef";

export const RESULT: AnalysisResult = {
  kind: "TOKEN",
  risk_score: 92,
  risk_level: "CRITICAL",
  contract_risk: { score: 92, level: "CRITICAL", top_reasons: ["CRITICAL: a sell costs 60 % in tax"] },
  market_risk: { score: 30, level: "MEDIUM", top_reasons: ["MEDIUM: the pool is thin"] },
  confidence: 0.9,
  degraded: true,
  level_is_lower_bound: true,
  missing_checks: [{ check: "smart money", why: "no wallet list", would_tell: "whether tracked wallets hold it" }],
  heuristic_risks: [
    {
      type: "owner_can_mint",
      score: 75,
      severity: "HIGH",
      reason: "The owner can create new tokens at will.",
      evidence: { function: "mint(address,uint256)" },
    },
    { type: "high_sell_tax", score: 95, severity: "CRITICAL", reason: "A sell loses 60 %.", evidence: { sell_tax: 0.6 } },
    { type: "unlocked_liquidity", score: 30, severity: "MEDIUM", reason: "The LP is not locked.", evidence: {} },
  ],
  trade_simulation: {
    can_buy: true,
    can_sell: true,
    can_transfer: true,
    buy_tax: 0,
    sell_tax: 0.6,
    transfer_tax: 0,
    dex: "uniswap_v2",
    method: "eth_simulateV1",
  },
  ml_prediction: {
    scam_probability: 0.83,
    prediction: "scam",
    confidence: 0.66,
    model_version: "gb-2026-11",
    model_kind: "bytecode",
    basis: "bytecode model, held-out AUC 0.91",
    top_features: [{ name: "has_mint_selector", value: 1, contribution: 0.42 }],
  },
  smart_money_analysis: {
    status: "OK",
    signal: "holding",
    tracked_wallets: 5,
    wallets_read: 5,
    share_of_supply: 0.012,
    holders: [{ address: "0x" + "ab".repeat(20), label: "fund A", balance: "1", share_of_supply: 0.012 }],
  },
  recommendations: ["Critical risk: do not buy."],
  agent_statuses: { heuristic: "OK", ml: "OK", smart_money: "DEGRADED" },
  timings_ms: { heuristic: 40, ml: 20, smart_money: 10, total: 1800 },
  token: { address: TOKEN, chain: "ethereum", name: "Trap Token", symbol: "TRAP" },
};

export function analysis(over: Partial<AnalysisResponse> = {}): AnalysisResponse {
  const now = new Date().toISOString();
  return {
    task_id: TASK,
    status: "COMPLETED",
    token_address: TOKEN,
    chain: "ethereum",
    created_at: now,
    completed_at: now,
    updated_at: now,
    risk_score: 92,
    risk_level: "CRITICAL",
    links: { self: `/analysis/${TASK}` },
    result: RESULT,
    error: null,
    agents: [
      { agent: "heuristic", status: "OK", duration_ms: 40, gaps: [], error: null },
      { agent: "ml", status: "OK", duration_ms: 20, gaps: [], error: null },
      { agent: "smart_money", status: "DEGRADED", duration_ms: 10, gaps: ["no wallet list"], error: null },
    ],
    ...over,
  };
}

export const TOKENS = { access_token: "access-1", refresh_token: "refresh-1", token_type: "bearer", expires_in: 900 };
