// The smart-money agent's view is free-form JSON (shared/moneygrow/agents/smart_money.py): read it
// defensively into what the chart shows.

export interface SmartMoneyHolder {
  address: string;
  name: string;
  sharePct: number | null;
}

export interface SmartMoneyView {
  summary: string;
  holders: SmartMoneyHolder[];
}

function asNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function smartMoneyView(analysis: Record<string, unknown>): SmartMoneyView {
  const raw = Array.isArray(analysis.holders) ? analysis.holders : [];
  const holders: SmartMoneyHolder[] = raw
    .filter((h): h is Record<string, unknown> => typeof h === "object" && h !== null)
    .map((h) => {
      const address = typeof h.address === "string" ? h.address : "?";
      const share = asNumber(h.share_of_supply);
      return {
        address,
        name: typeof h.label === "string" && h.label ? h.label : address.slice(0, 10),
        sharePct: share === null ? null : share * 100,
      };
    });
  const tracked = asNumber(analysis.tracked_wallets);
  const read = asNumber(analysis.wallets_read);
  const total = asNumber(analysis.share_of_supply);
  let summary: string;
  switch (analysis.signal) {
    case "holding":
      summary =
        `${holders.length} of ${read ?? tracked ?? "?"} tracked smart-money wallets hold this token` +
        (total === null ? "." : `, ${(total * 100).toFixed(2)} % of the supply together.`);
      break;
    case "absent":
      summary = `None of the ${read ?? tracked ?? ""} tracked smart-money wallets hold this token. That is context, not a risk.`;
      break;
    default:
      summary =
        analysis.status === "FAILED"
          ? "The smart-money check failed for this token."
          : "The smart-money check could not tell (no wallet list or the balances were unreadable).";
  }
  return { summary: summary.replace(/\s+/g, " "), holders };
}
