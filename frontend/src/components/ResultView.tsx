import { Link } from "react-router-dom";

import type { AnalysisResponse, AnalysisResult, Finding, Severity } from "../api/types";
import { CHAINS } from "../lib/address";
import { dateTime, humanize, LEVEL_TEXT, percent } from "../lib/format";
import { CopyButton } from "./CopyButton";
import { ProgressView } from "./ProgressView";
import { RiskGauge } from "./RiskGauge";
import styles from "./ResultView.module.css";
import { SmartMoneyCard } from "./SmartMoney";
import { WatchButton } from "./WatchButton";

const SEVERITIES: Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

export function ResultView({ analysis }: { analysis: AnalysisResponse }) {
  const result = analysis.result as AnalysisResult;
  const token = (result.token ?? {}) as Record<string, unknown>;
  const name = [token.name, token.symbol && `(${String(token.symbol)})`].filter(Boolean).join(" ");
  const chain = CHAINS.find((c) => c.value === analysis.chain)?.label ?? analysis.chain;
  const shareUrl = `${window.location.origin}/analyses/${analysis.task_id}`;
  const notAToken = result.kind === "NOT_A_TOKEN";

  return (
    <article className="stack" aria-labelledby="result-title">
      <header className={styles.head}>
        <div>
          <h1 id="result-title">{name || "Token analysis"}</h1>
          <p className="mono break">{analysis.token_address}</p>
          <p className="hint">
            {chain} · analysed {dateTime(analysis.completed_at ?? analysis.updated_at)}
          </p>
        </div>
        <div className={styles.share}>
          {!notAToken && <WatchButton chain={analysis.chain} tokenAddress={analysis.token_address} />}
          <span className="hint">Share this analysis</span>
          <CopyButton text={shareUrl} label="Copy link" />
        </div>
      </header>

      {notAToken ? (
        <section className="card" aria-label="Verdict">
          <h2>This address is not a token</h2>
          <p>
            It is a wallet, the zero address, a precompile, a self-destructed contract or a contract that is not an
            ERC-20 token, so there is no risk score. Check that you pasted the token's contract address.
          </p>
        </section>
      ) : (
        <Verdict result={result} />
      )}

      {result.missing_checks && result.missing_checks.length > 0 && (
        <section className="card" aria-labelledby="missing-title">
          <h2 id="missing-title">What could not be checked</h2>
          <p className="hint">A check that did not run is unknown, never counted as safe: the level may be higher.</p>
          <ul className="plain">
            {result.missing_checks.map((m) => (
              <li key={m.check}>
                <strong>{humanize(m.check)}</strong>: {m.why}. It would tell {m.would_tell}.
              </li>
            ))}
          </ul>
        </section>
      )}

      {!notAToken && <Findings findings={result.heuristic_risks} />}

      <div className={styles.grid}>
        {!notAToken && <TradeSimulationCard result={result} />}
        {!notAToken && <MlCard result={result} />}
      </div>

      {!notAToken && <SmartMoneyCard analysis={result.smart_money_analysis} chain={analysis.chain} />}

      {result.recommendations.length > 0 && (
        <section className="card" aria-labelledby="advice-title">
          <h2 id="advice-title">Recommendations</h2>
          <ul>
            {result.recommendations.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </section>
      )}

      <ProgressView analysis={analysis} />
      <Timings result={result} />
      <p>
        <Link to="/">Analyse another token</Link> · <Link to="/history">Your history</Link>
      </p>
    </article>
  );
}

function Verdict({ result }: { result: AnalysisResult }) {
  const level = result.risk_level ?? "UNKNOWN";
  return (
    <section className={`card ${styles.verdict}`} aria-label="Verdict">
      <RiskGauge score={result.risk_score} level={result.risk_level} label="Overall risk" />
      <div className="stack">
        <p className={styles.levelText}>
          <strong>{level}</strong>: {LEVEL_TEXT[level]}
        </p>
        <p className="hint">
          Confidence {percent(result.confidence, 0)} (the share of the analysis that ran).
          {result.degraded && " Some checks did not run"}
          {result.level_is_lower_bound && ": the real level may be higher."}
          {result.degraded && !result.level_is_lower_bound && "."}
        </p>
        <div className={styles.subscores}>
          {result.contract_risk && (
            <SubScore title="Contract risk" view={result.contract_risk} explain="what the code lets a privileged account do" />
          )}
          {result.market_risk && (
            <SubScore title="Market risk" view={result.market_risk} explain="liquidity, its lock, holder concentration" />
          )}
        </div>
      </div>
    </section>
  );
}

function SubScore({
  title,
  view,
  explain,
}: {
  title: string;
  view: NonNullable<AnalysisResult["contract_risk"]>;
  explain: string;
}) {
  return (
    <div className={styles.subscore}>
      <RiskGauge score={view.score} level={view.level} label={title} size="small" />
      <p className="hint">{explain}</p>
      {view.top_reasons.length > 0 && (
        <ul className="plain small">
          {view.top_reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Findings({ findings }: { findings: Finding[] }) {
  return (
    <section className="card" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings ({findings.length})</h2>
      {findings.length === 0 && <p>No risky behaviour found.</p>}
      {SEVERITIES.map((severity) => {
        const group = findings.filter((f) => f.severity === severity);
        if (group.length === 0) return null;
        return (
          <div key={severity} className={styles.group}>
            <h3>
              <span className={`level-pill level-${severity.toLowerCase()}`}>{severity}</span> {group.length}{" "}
              {group.length === 1 ? "finding" : "findings"}
            </h3>
            <ul className={styles.findings}>
              {group.map((f, i) => (
                <li key={`${f.type}-${i}`} className={styles.finding} data-finding={f.type}>
                  <div className={styles.findingHead}>
                    <strong>{humanize(f.type)}</strong>
                    <span className="hint">score {f.score}</span>
                  </div>
                  <p>{f.reason}</p>
                  {f.evidence && Object.keys(f.evidence).length > 0 && (
                    <details>
                      <summary>Evidence</summary>
                      <Evidence evidence={f.evidence} />
                    </details>
                  )}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  return (
    <dl className={styles.evidence}>
      {Object.entries(evidence).map(([key, value]) => (
        <div key={key}>
          <dt>{humanize(key)}</dt>
          <dd className="mono break">{typeof value === "string" ? value : JSON.stringify(value, null, 1)}</dd>
        </div>
      ))}
    </dl>
  );
}

function yesNo(value: boolean | null | undefined): string {
  return value === true ? "Yes" : value === false ? "No" : "Unknown";
}

function TradeSimulationCard({ result }: { result: AnalysisResult }) {
  const sim = result.trade_simulation;
  return (
    <section className="card" aria-labelledby="sim-title">
      <h2 id="sim-title">Trade simulation</h2>
      {!sim ? (
        <p>
          The simulation did not run
          {result.missing_checks?.find((m) => m.check.includes("simulation"))?.why
            ? `: ${result.missing_checks.find((m) => m.check.includes("simulation"))?.why}`
            : "."}
        </p>
      ) : (
        <>
          <p className="hint">A fresh wallet bought, transferred and sold the token{sim.dex ? ` on ${sim.dex}` : ""}.</p>
          <dl className={styles.facts}>
            <div>
              <dt>Can sell</dt>
              <dd className={sim.can_sell === false ? "danger" : undefined}>{yesNo(sim.can_sell)}</dd>
            </div>
            <div>
              <dt>Buy tax</dt>
              <dd>{percent(sim.buy_tax)}</dd>
            </div>
            <div>
              <dt>Sell tax</dt>
              <dd className={(sim.sell_tax ?? 0) >= 0.1 ? "danger" : undefined}>{percent(sim.sell_tax)}</dd>
            </div>
            <div>
              <dt>Transfer tax</dt>
              <dd>{percent(sim.transfer_tax)}</dd>
            </div>
            <div>
              <dt>Can buy</dt>
              <dd>{yesNo(sim.can_buy)}</dd>
            </div>
            <div>
              <dt>Can transfer</dt>
              <dd>{yesNo(sim.can_transfer)}</dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}

function MlCard({ result }: { result: AnalysisResult }) {
  const ml = result.ml_prediction;
  return (
    <section className="card" aria-labelledby="ml-title">
      <h2 id="ml-title">ML model</h2>
      {!ml ? (
        <p>
          {result.agent_statuses.ml === "OK"
            ? "The ML model does not apply to this token: too little data for a calibrated probability."
            : `The ML model gave no prediction for this token (${result.agent_statuses.ml === "FAILED" ? "it failed" : "it could not run fully"}).`}
        </p>
      ) : (
        <>
          <p className={styles.big}>{percent(ml.scam_probability, 0)}</p>
          <p>
            probability that the bytecode resembles known scam contracts (reads as <strong>{ml.prediction}</strong>,
            confidence {percent(ml.confidence, 0)}).
          </p>
          <p className="hint">
            Basis: {ml.basis ?? `a calibrated ${ml.model_kind ?? "bytecode"} model`} (model{" "}
            <span className="mono break">{ml.model_version}</span>). The probability is context: it never moves the
            risk level.
          </p>
          <TopFeatures features={ml.top_features ?? []} />
        </>
      )}
    </section>
  );
}

/** The features that weighed most in the ML probability ({name, value, contribution}), when given. */
function TopFeatures({ features }: { features: Record<string, unknown>[] }) {
  const rows = features
    .filter((f) => typeof f.name === "string")
    .slice(0, 5)
    .map((f) => ({ name: String(f.name), value: f.value, contribution: f.contribution }));
  if (rows.length === 0) return null;
  return (
    <details>
      <summary>What weighed most</summary>
      <ul className="plain small">
        {rows.map((f) => (
          <li key={f.name}>
            {humanize(f.name)}
            {f.value !== undefined && f.value !== null && <>: {String(f.value)}</>}
            {typeof f.contribution === "number" && (
              <span className="hint">
                {" "}
                ({f.contribution >= 0 ? "+" : ""}
                {f.contribution.toFixed(2)})
              </span>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

function Timings({ result }: { result: AnalysisResult }) {
  const total = result.timings_ms.total;
  if (total === undefined) return null;
  return <p className="hint">The analysis took {(total / 1000).toFixed(1)} s.</p>;
}
