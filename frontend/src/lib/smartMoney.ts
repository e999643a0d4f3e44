// The smart-money agent's view is free-form JSON on the API side (shared/moneygrow/agents/smart_money.py,
// README "Smart money"): read it defensively into what the card shows. Token amounts arrive as
// integer strings in the token's smallest unit; prices and P&L as numbers in the pair's quote coin.

export interface SmartWallet {
  address: string;
  name: string;
  score: number | null; // the registry's wallet score, 0-100
  basis: string;
  holding: boolean;
  sharePct: number | null;
  entryTime: string | null;
  entryPrice: number | null;
  realisedPnl: number | null;
  unrealisedPnl: number | null;
  pnlUnit: string;
}

export interface FundingHop {
  from: string;
  to: string;
  via: string; // "native" (gas money) or "token"
  block: number | null;
  amount: number | null; // whole coins (native) or whole tokens
}

export interface LinkedWallet {
  address: string;
  via: string;
  sharePct: number | null;
  soldSharePct: number | null;
  path: FundingHop[];
}

export interface FlowBucket {
  start: string;
  bought: number;
  sold: number;
  net: number;
}

export type FlowSpan = "24h" | "7d";

export interface WhaleFlows {
  series: Record<FlowSpan, FlowBucket[]>;
  unit: string;
  holders: number;
  exiting: number;
  net7dSharePct: number | null;
  insufficient: string | null;
}

export interface Entity {
  address: string;
  label: string;
  category: string;
  basis: string;
  sharePct: number | null;
}

export interface SmartMoneyView {
  signal: string | null;
  score: number | null;
  confidence: number | null;
  basis: string;
  summary: string;
  smartWallets: SmartWallet[];
  deployer: { address: string; how: string } | null;
  deployerLinked: LinkedWallet[];
  whales: WhaleFlows | null;
  entities: Entity[];
  insufficient: string[];
  notes: string[];
}

type Json = Record<string, unknown>;

const NATIVE: Record<string, string> = { ethereum: "ETH", bsc: "BNB", polygon: "POL" };

export const ENTITY_KIND: Record<string, string> = {
  cex: "exchange",
  bridge: "bridge",
  fund_or_market_maker: "fund or market maker",
  dex_or_defi: "DEX or DeFi contract",
  mev_bot: "MEV bot",
  token: "token contract",
};

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === "object" && v !== null) : [];
}

function pct(fraction: unknown): number | null {
  const value = num(fraction);
  return value === null ? null : value * 100;
}

/** An integer amount in the smallest unit ("1000000000000000000") as whole units (1), or null. */
export function wholeUnits(raw: unknown, decimals: number): number | null {
  if (typeof raw !== "string" && typeof raw !== "number") return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value / 10 ** decimals : null;
}

/** A number for people: 1,234,567 / 12.35 / 0.0421 / 4.21e-8. */
export function amount(value: number | null): string {
  if (value === null) return "n/a";
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
  if (abs >= 0.01) return String(Number(value.toFixed(abs >= 1 ? 2 : 4)));
  return value.toPrecision(3);
}

function buckets(value: unknown): FlowBucket[] {
  return objects(value).map((b) => ({
    start: str(b.start),
    bought: num(b.bought) ?? 0,
    sold: num(b.sold) ?? 0,
    net: num(b.net) ?? 0,
  }));
}

function whaleFlows(value: unknown): WhaleFlows | null {
  if (typeof value !== "object" || value === null) return null;
  const flows = value as Json;
  const series = (typeof flows.series === "object" && flows.series !== null ? flows.series : {}) as Json;
  return {
    series: { "24h": buckets(series["24h"]), "7d": buckets(series["7d"]) },
    unit: str(flows.series_unit),
    holders: objects(flows.top_holders).length,
    exiting: Array.isArray(flows.exiting) ? flows.exiting.length : 0,
    net7dSharePct: pct(flows.net_7d_share_of_supply),
    insufficient: str(flows.insufficient_data) || null,
  };
}

function summary(signal: string | null, status: unknown, smart: SmartWallet[], insufficient: string[]): string {
  const holding = smart.filter((w) => w.holding);
  const shares = holding.map((w) => w.sharePct);
  const share = shares.length > 0 && shares.every((s) => s !== null) ? shares.reduce((a, b) => a! + b!, 0) : null;
  switch (signal) {
    case "holding":
      return (
        `${holding.length} smart-money ${holding.length === 1 ? "wallet holds" : "wallets hold"} this token` +
        (share === null ? "" : `, ${share!.toFixed(2)} % of the supply together`) +
        (smart.length > holding.length ? `; ${smart.length - holding.length} more sold out.` : ".")
      );
    case "exited":
      return `${smart.length} smart-money ${smart.length === 1 ? "wallet" : "wallets"} traded this token and sold out: none holds it now.`;
    case "absent":
      return "No smart-money wallet holds or traded this token. That is context, not a risk.";
    case "insufficient_data":
      return `Not enough on-chain data to tell who holds this token${insufficient.length ? `: ${insufficient.join("; ")}` : "."}`;
    default:
      if (status === "FAILED") return "The smart-money check failed for this token.";
      return insufficient.length
        ? `The smart-money check could not tell: ${insufficient.join("; ")}.`
        : "The smart-money check could not tell (the token's logs could not be read).";
  }
}

export function smartMoneyView(analysis: Record<string, unknown>, chain = "ethereum"): SmartMoneyView {
  const decimals = num(analysis.decimals) ?? 18;
  const quote = str(analysis.quote);
  const smartWallets: SmartWallet[] = objects(analysis.smart_wallets).map((w) => {
    const address = str(w.address) || "?";
    return {
      address,
      name: str(w.label), // "" when the registry has no label
      score: num(w.score),
      basis: str(w.basis),
      holding: w.holding === true,
      sharePct: pct(w.share_of_supply),
      entryTime: str(w.entry_time) || null,
      entryPrice: num(w.entry_price),
      realisedPnl: num(w.realised_pnl),
      unrealisedPnl: num(w.unrealised_pnl),
      pnlUnit: str(w.pnl_unit) || quote,
    };
  });
  const native = NATIVE[chain] ?? "native coin";
  const deployerLinked: LinkedWallet[] = objects(analysis.deployer_linked).map((w) => ({
    address: str(w.address) || "?",
    via: str(w.via),
    sharePct: pct(w.share_of_supply),
    soldSharePct: pct(w.sold_share_of_supply),
    path: objects(w.funding_path).map((hop) => ({
      from: str(hop.from),
      to: str(hop.to),
      via: str(hop.via) === "native" ? native : "token",
      block: num(hop.block),
      amount: wholeUnits(hop.amount, str(hop.via) === "native" ? 18 : decimals),
    })),
  }));
  const entities: Entity[] = objects(analysis.entities).map((e) => ({
    address: str(e.address) || "?",
    label: str(e.label),
    category: str(e.category),
    basis: str(e.basis),
    sharePct: pct(e.share_of_supply),
  }));
  const insufficient = (Array.isArray(analysis.insufficient_data) ? analysis.insufficient_data : []).filter(
    (r): r is string => typeof r === "string" && r !== "",
  );
  const deployer = typeof analysis.deployer === "object" && analysis.deployer !== null ? (analysis.deployer as Json) : {};
  const signal = typeof analysis.signal === "string" ? analysis.signal : null;
  return {
    signal,
    score: num(analysis.smart_money_score),
    confidence: num(analysis.confidence),
    basis: str(analysis.basis),
    summary: summary(signal, analysis.status, smartWallets, insufficient),
    smartWallets,
    deployer: str(deployer.address) ? { address: str(deployer.address), how: str(deployer.how) } : null,
    deployerLinked,
    whales: whaleFlows(analysis.whale_flows),
    entities,
    insufficient,
    notes: (Array.isArray(analysis.notes) ? analysis.notes : []).filter((n): n is string => typeof n === "string"),
  };
}

/** Totals of one series: what the largest holders bought and sold on the DEX over the span. */
export function flowTotals(rows: FlowBucket[]): { bought: number; sold: number; net: number } {
  const bought = rows.reduce((sum, r) => sum + r.bought, 0);
  const sold = rows.reduce((sum, r) => sum + r.sold, 0);
  return { bought, sold, net: bought - sold };
}
