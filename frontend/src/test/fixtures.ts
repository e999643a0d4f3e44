import type { AgentProgress, AgentStatus, AnalysisResponse, AnalysisResult, Subscription, Watch } from "../api/types";

export const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const TASK = "0123456789abcdef0123456789abcdef";

// whale_flows.series as the agent builds it: 24 hourly and 28 six-hour buckets ending at the head
// block's time, with what the top holders bought and sold (whole tokens) in some of them.
function series(end: number, span: number, count: number, trades: Record<number, [number, number]>) {
  const step = span / count;
  return Array.from({ length: count }, (_, i) => {
    const t = end - span + i * step;
    const [bought, sold] = trades[i] ?? [0, 0];
    return { start: new Date(t * 1000).toISOString().replace(".000Z", "+00:00"), t, bought, sold, net: bought - sold };
  });
}
const HEAD_TIME = 1700102108;

export const SMART = "0x8ac7F6DFd33c218E1Ac40D25393Af64D50B473fB";
export const SMART_EXITED = "0xFa129B844FF996e349c2c811eDe543168FbECD16";
export const DEPLOYER = "0x17197366c4D8d62E8447849e3675c6c8495Bf7bf";
export const SYBIL = "0x8359DA9e8A267B2f95baa538fD6d976733733bd5";
export const SYBIL_2 = "0x803F42F4eDC41e4F92d982Bb348852f3746E3dF3";

// The shape shared/moneygrow/agents/smart_money.py returns (values from a run on the scripted
// market of devstack/market.py), plus the "status" the aggregate adds.
export const SMART_MONEY = {
  block_number: 116,
  window: { from_block: 0, to_block: 116, complete: true, covers_launch: true, log_calls: 1, transfers: 13, swaps: 11 },
  pair: "0x747F9BEc1a035F0247F3a6f86D1F0A5A72A6116b",
  quote: "ETH",
  price: 1.2113633589287562e-7,
  total_supply: "1000000000000000000000000000",
  decimals: 18,
  rpc_round_trips: 5,
  smart_money_score: 43, // 100 * (1 - 0.5 ** 0.82): one holding wallet of registry score 82
  confidence: 1.0,
  basis: "1 smart wallets hold, 1 exited; 10 of the token's wallets have a registry score",
  signal: "holding",
  smart_wallets: [
    {
      address: SMART,
      label: "Alpha Fund",
      score: 82,
      basis: "registry score 82: 4 tokens traded: 3 profitable exits, 4 early entries, 3 exits near the top",
      holding: true,
      balance: "23741486879077963518597894",
      share_of_supply: 0.023741486879077962,
      entry_block: 23,
      entry_time: "2023-11-15T02:17:44+00:00",
      entry_price: 4.212036108324975e-8,
      realised_pnl: null,
      unrealised_pnl: 1.8759567291802874,
      pnl_unit: "ETH",
    },
    {
      address: SMART_EXITED,
      label: "",
      score: 75,
      basis: "registry score 75: 4 tokens traded: 3 profitable exits, 4 early entries, 2 exits near the top",
      holding: false,
      balance: "0",
      share_of_supply: 0.0,
      entry_block: 25,
      entry_time: "2023-11-15T02:18:08+00:00",
      entry_price: 5.0731468663003297e-8,
      realised_pnl: 2.942853508596793,
      unrealised_pnl: null,
      pnl_unit: "ETH",
    },
  ],
  holders: [{ address: SMART, label: "Alpha Fund", holding: true, balance: "23741486879077963518597894", share_of_supply: 0.023741486879077962 }],
  share_of_supply: 0.023741486879077962,
  whale_flows: {
    top_holders: [
      {
        address: "0x8161E2Dbef74770781B066AE428eC7B8987071F7",
        balance: "500000000000000000000000000",
        share_of_supply: 0.5,
        net_24h: "0",
        net_7d: "-500000000000000000000000000",
        dex_net_24h: "0",
        dex_net_7d: "0",
        peak_balance: "1000000000000000000000000000",
        exited_7d: "0",
        exiting: false,
      },
      {
        address: SMART_EXITED,
        balance: "0",
        share_of_supply: 0.0,
        net_24h: "-65039231519834220000000000",
        net_7d: "0",
        dex_net_24h: "-65039231519834220000000000",
        dex_net_7d: "0",
        peak_balance: "65039231519834220000000000",
        exited_7d: "65039231519834220000000000",
        exiting: true,
      },
    ],
    net_24h: "-65039231519834220000000000",
    net_7d: "-500000000000000000000000000",
    dex_net_24h: "-65039231519834220000000000",
    dex_net_7d: "0",
    net_7d_share_of_supply: -0.5,
    exiting: [SMART_EXITED],
    series: {
      "24h": series(HEAD_TIME, 86_400, 24, { 3: [111997904.4872741, 0], 15: [0, 65039231.51983422] }),
      "7d": series(HEAD_TIME, 7 * 86_400, 28, {
        23: [65039231.51983422, 0],
        24: [111997904.4872741, 0],
        27: [0, 163298704.14567378],
      }),
    },
    series_unit: "whole tokens the top holders bought and sold on the DEX, per bucket",
  },
  deployer: { address: DEPLOYER, how: "first mint (Transfer from 0x0)" },
  deployer_linked: [
    {
      address: SYBIL,
      via: "native",
      funding_path: [{ from: DEPLOYER, to: SYBIL, via: "native", block: 93, amount: "1000000000000000000" }],
      balance: "11043341685435021595224228",
      share_of_supply: 0.011043341685435021,
      sold: "0",
      sold_share_of_supply: 0.0,
      bought_on_dex: "11043341685435021595224228",
    },
    {
      address: SYBIL_2,
      via: "native",
      funding_path: [
        { from: DEPLOYER, to: SYBIL, via: "native", block: 93, amount: "1000000000000000000" },
        { from: SYBIL, to: SYBIL_2, via: "native", block: 94, amount: "500000000000000000" },
      ],
      balance: "0",
      share_of_supply: 0.0,
      sold: "10542090387714410232502616",
      sold_share_of_supply: 0.01054209038771441,
      bought_on_dex: "10542090387714410232502616",
    },
  ],
  entities: [
    {
      address: "0xb25d7D3c43D6e52cB5a4BAa93409e75e29ACcf0f",
      label: "LocalEx: Hot Wallet 1",
      category: "cex",
      basis: "registry label",
      balance: "37909330155359321922720534",
      share_of_supply: 0.03790933015535932,
    },
    {
      address: "0xe02FC305eF3407846A750a454F35fc6E6dB8dBD3",
      label: "",
      category: "mev_bot",
      basis: "sandwiched 1 trades here",
      balance: "0",
      share_of_supply: 0.0,
    },
  ],
  trades: { count: 11, buyers: 10, sellers: 1 },
  tracked_wallets: 0,
  insufficient_data: [],
  notes: [],
  status: "DEGRADED",
};

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
  smart_money_analysis: SMART_MONEY,
  recommendations: ["Critical risk: do not buy."],
  agent_statuses: { heuristic: "OK", ml: "OK", smart_money: "DEGRADED" },
  timings_ms: { heuristic: 40, ml: 20, smart_money: 10, total: 1800 },
  token: { address: TOKEN, chain: "ethereum", name: "Trap Token", symbol: "TRAP" },
};

export function analysis(over: Partial<AnalysisResponse> = {}): AnalysisResponse {
  const now = new Date().toISOString();
  const agents = over.agents ?? [
    { agent: "heuristic", status: "OK", duration_ms: 40, gaps: [], error: null },
    { agent: "ml", status: "OK", duration_ms: 20, gaps: [], error: null },
    { agent: "smart_money", status: "DEGRADED", duration_ms: 10, gaps: ["no wallet list"], error: null },
  ];
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
    agents,
    progress: progressOf(agents),
    ...over,
  };
}

/** The API's `progress` for these final agents: done for those with a status, the others pending. */
export function progressOf(agents: AnalysisResponse["agents"], live: Record<string, AgentStatus> = {}): AgentProgress[] {
  return (["heuristic", "ml", "smart_money"] as const).map((name) => {
    const a = agents.find((x) => x.agent === name);
    const status = a?.status ?? live[name];
    return status
      ? { agent: name, state: "done", status, duration_ms: a?.duration_ms ?? 300, finished_at: a ? null : new Date().toISOString() }
      : { agent: name, state: "pending", status: null, duration_ms: null, finished_at: null };
  });
}

export const TOKENS = { access_token: "access-1", refresh_token: "refresh-1", token_type: "bearer", expires_in: 900 };

/** An entry of GET /watchlist (first rescan done unless `last_check: null`). */
export function watched(over: Partial<Watch> = {}): Watch {
  return {
    chain: "ethereum",
    token_address: TOKEN,
    threshold: { kind: "any_change" },
    created_at: "2026-12-01T08:00:00Z",
    next_rescan_at: "2099-12-02T14:00:00Z",
    last_check: { task_id: TASK, checked_at: "2026-12-02T08:00:00Z", risk_level: "CRITICAL", risk_score: 92 },
    ...over,
  };
}

/** An entry of GET /alerts/subscriptions. */
export function subscription(over: Partial<Subscription> = {}): Subscription {
  return {
    subscription_id: "a".repeat(32),
    channel: "webhook",
    endpoint: "https://hooks.example.com/moneygrow",
    status: "confirmed",
    created_at: "2026-12-01T08:00:00Z",
    ...over,
  };
}
