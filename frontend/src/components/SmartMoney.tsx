import { lazy, Suspense, useState } from "react";

import { shortAddress } from "../lib/address";
import { dateTime, humanize } from "../lib/format";
import {
  amount,
  ENTITY_KIND,
  flowTotals,
  smartMoneyView,
  type FlowSpan,
  type LinkedWallet,
  type SmartMoneyView,
  type SmartWallet,
  type WhaleFlows,
} from "../lib/smartMoney";
import styles from "./SmartMoney.module.css";

// Recharts is loaded only when a chart is on screen (it is most of the app's weight).
const WhaleFlowChart = lazy(() => import("./charts").then((m) => ({ default: m.WhaleFlowChart })));

/** The smart-money card: score, smart wallets, deployer-linked wallets, whale flows, entities. */
export function SmartMoneyCard({ analysis, chain }: { analysis: Record<string, unknown>; chain: string }) {
  const view = smartMoneyView(analysis, chain);
  return (
    <section className="card stack" aria-labelledby="smart-title">
      <h2 id="smart-title">Smart money</h2>
      <Score view={view} />
      <p>{view.summary}</p>
      {view.smartWallets.length > 0 && <SmartWallets wallets={view.smartWallets} />}
      {Array.isArray(analysis.deployer_linked) && <DeployerLinked view={view} />}
      {view.whales && <Whales flows={view.whales} />}
      {view.entities.length > 0 && (
        <div>
          <h3>Known entities</h3>
          <ul className="plain small" aria-label="Known entities">
            {view.entities.map((e) => (
              <li key={e.address}>
                <strong>{e.label || shortAddress(e.address)}</strong>: {ENTITY_KIND[e.category] ?? humanize(e.category)}{" "}
                <span className="hint">
                  ({e.basis}
                  {e.sharePct ? `, holds ${e.sharePct.toFixed(2)} %` : ""})
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {view.notes.length > 0 && <p className="hint">{view.notes.join(". ")}.</p>}
    </section>
  );
}

function Score({ view }: { view: SmartMoneyView }) {
  return (
    <div className={styles.score}>
      <div
        role="meter"
        aria-label="Smart-money score"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.score ?? undefined}
        aria-valuetext={view.score === null ? "not scored" : `${view.score} of 100`}
        className={styles.scoreValue}
      >
        {view.score === null ? (
          <span className={styles.none}>Not scored</span>
        ) : (
          <>
            <span className={styles.number}>{view.score}</span>
            <span className="hint"> / 100</span>
          </>
        )}
        <div className={styles.bar} aria-hidden="true">
          <div style={{ width: `${view.score ?? 0}%` }} />
        </div>
      </div>
      <p className="hint small">
        How much smart-money conviction is still in the token (one strong wallet ≈ 40, three ≈ 80). It is context:
        it never moves the risk level.
        {view.basis && <> Basis: {view.basis}.</>}
        {view.confidence !== null && <> Confidence {Math.round(view.confidence * 100)} %.</>}
      </p>
    </div>
  );
}

function pnl(w: SmartWallet): string {
  const signed = (v: number) => `${v >= 0 ? "+" : "−"}${amount(Math.abs(v))} ${w.pnlUnit}`.trim();
  const parts: string[] = [];
  if (w.realisedPnl !== null) parts.push(`${signed(w.realisedPnl)} realised`);
  if (w.unrealisedPnl !== null) parts.push(`${signed(w.unrealisedPnl)} unrealised`);
  return parts.length ? parts.join(", ") : "unknown";
}

function SmartWallets({ wallets }: { wallets: SmartWallet[] }) {
  return (
    <div className="table-scroll">
      <table className={`table small ${styles.nowrap}`} aria-label="Smart wallets">
        <thead>
          <tr>
            <th scope="col">Wallet</th>
            <th scope="col">Position</th>
            <th scope="col">Entry</th>
            <th scope="col">Profit and loss</th>
          </tr>
        </thead>
        <tbody>
          {wallets.map((w) => (
            <tr key={w.address}>
              <td>
                {w.name && <>{w.name} </>}
                <span className={w.name ? "mono hint" : "mono"}>{shortAddress(w.address)}</span>
                {w.score !== null && <div className="hint" title={w.basis}>registry score {w.score}</div>}
              </td>
              <td>
                {w.holding
                  ? `holds ${w.sharePct === null ? "an unknown share" : `${w.sharePct.toFixed(2)} %`}`
                  : "sold out"}
              </td>
              <td>
                {w.entryTime ? dateTime(w.entryTime) : "before the window"}
                {w.entryPrice !== null && (
                  <div className="hint">
                    at {amount(w.entryPrice)} {w.pnlUnit}
                  </div>
                )}
              </td>
              <td className={(w.realisedPnl ?? 0) + (w.unrealisedPnl ?? 0) < 0 ? "danger" : undefined}>{pnl(w)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Path({ wallet, deployer }: { wallet: LinkedWallet; deployer: string | null }) {
  const name = (address: string) =>
    deployer && address.toLowerCase() === deployer.toLowerCase() ? "deployer" : shortAddress(address);
  if (wallet.path.length === 0) return <>{humanize(wallet.via || "unknown")}</>;
  return (
    <>
      {name(wallet.path[0]!.from)}
      {wallet.path.map((hop, i) => (
        <span key={`${hop.to}-${i}`}>
          {" → "}
          <span className="mono">{shortAddress(hop.to)}</span>{" "}
          <span className="hint">
            ({hop.amount === null ? "?" : amount(hop.amount)} {hop.via}
            {hop.block !== null ? `, block ${hop.block}` : ""})
          </span>
        </span>
      ))}
    </>
  );
}

function DeployerLinked({ view }: { view: SmartMoneyView }) {
  const linked = view.deployerLinked;
  const deployer = view.deployer?.address ?? null;
  return (
    <div>
      <h3>Wallets the deployer funded</h3>
      {linked.length === 0 ? (
        <p className="small">
          {deployer
            ? `None found: no wallet funded by the deployer (${shortAddress(deployer)}) around the launch holds or sold the token.`
            : "Not checked: the deployer is unknown."}
        </p>
      ) : (
        <>
          <p className="small">
            {linked.length} {linked.length === 1 ? "wallet" : "wallets"} funded by the deployer
            {deployer ? ` (${shortAddress(deployer)}, ${view.deployer!.how})` : ""} around the launch hold or sold{" "}
            {(linked.reduce((s, w) => s + (w.sharePct ?? 0) + (w.soldSharePct ?? 0), 0)).toFixed(1)} % of the supply:
            the holder base is partly the deployer's own.
          </p>
          <div className="table-scroll">
            <table className={`table small ${styles.nowrap}`} aria-label="Deployer-linked wallets">
              <thead>
                <tr>
                  <th scope="col">Wallet</th>
                  <th scope="col">Funding path</th>
                  <th scope="col">Holds</th>
                  <th scope="col">Sold</th>
                </tr>
              </thead>
              <tbody>
                {linked.map((w) => (
                  <tr key={w.address}>
                    <td className="mono">{shortAddress(w.address)}</td>
                    <td>
                      <Path wallet={w} deployer={deployer} />
                    </td>
                    <td>{w.sharePct === null ? "?" : `${w.sharePct.toFixed(2)} %`}</td>
                    <td>{w.soldSharePct === null ? "?" : `${w.soldSharePct.toFixed(2)} %`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

const SPANS: { value: FlowSpan; label: string }[] = [
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];

function Whales({ flows }: { flows: WhaleFlows }) {
  const [span, setSpan] = useState<FlowSpan>("7d");
  const rows = flows.series[span];
  const totals = flowTotals(rows);
  const label = SPANS.find((s) => s.value === span)!.label;
  return (
    <div className="stack">
      <h3>What the largest holders did</h3>
      {flows.insufficient ? (
        <p className="small">Not known: {flows.insufficient}.</p>
      ) : (
        <>
          <p className="small">
            {flows.holders} largest {flows.holders === 1 ? "holder" : "holders"} (exchanges, bridges, DEX contracts
            and MEV bots left out);{" "}
            {flows.exiting === 0
              ? "none is leaving"
              : `${flows.exiting} ${flows.exiting === 1 ? "is" : "are"} leaving (sold or sent to an exchange at least half of their tokens in 7 days)`}
            {flows.net7dSharePct !== null && flows.net7dSharePct !== 0
              ? `; over 7 days their balances ${flows.net7dSharePct > 0 ? "rose" : "fell"} by ${Math.abs(flows.net7dSharePct).toFixed(1)} % of the supply (transfers and trades).`
              : "."}
          </p>
          <div className="row wrap" role="group" aria-label="Period">
            {SPANS.map((s) => (
              <button
                key={s.value}
                type="button"
                className={`button secondary small ${styles.period}`}
                aria-pressed={span === s.value}
                onClick={() => setSpan(s.value)}
              >
                {s.label}
              </button>
            ))}
          </div>
          <figure className={styles.figure}>
            {rows.length > 0 && (totals.bought > 0 || totals.sold > 0) && (
              <Suspense fallback={<p className="hint">Loading the chart…</p>}>
                <WhaleFlowChart rows={rows} span={span} />
              </Suspense>
            )}
            <figcaption className="small" data-testid="whale-flow-caption">
              {totals.bought === 0 && totals.sold === 0
                ? `No DEX trades by the largest holders in the last ${label}.`
                : `DEX trades of the largest holders, last ${label}: bought ${amount(totals.bought)}, sold ${amount(totals.sold)}, net ${totals.net >= 0 ? "+" : "−"}${amount(Math.abs(totals.net))} tokens.`}
            </figcaption>
          </figure>
        </>
      )}
    </div>
  );
}
