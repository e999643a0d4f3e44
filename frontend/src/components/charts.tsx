// Everything that needs Recharts, in one lazily loaded chunk.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { shortAddress } from "../lib/address";
import { smartMoneyView } from "../lib/smartMoney";

export function SmartMoneyChart({ analysis }: { analysis: Record<string, unknown> }) {
  const view = smartMoneyView(analysis);
  return (
    <div className="stack">
      <p>{view.summary}</p>
      {view.holders.length > 0 && (
        <>
          <div style={{ width: "100%", height: Math.max(160, view.holders.length * 36 + 60) }} aria-hidden="true">
            <ResponsiveContainer>
              <BarChart data={view.holders} layout="vertical" margin={{ left: 8, right: 24, top: 8, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" unit=" %" domain={[0, "auto"]} />
                <YAxis type="category" dataKey="name" width={120} />
                <Tooltip formatter={(v) => [`${Number(v).toFixed(2)} %`, "share of supply"]} />
                <Bar dataKey="sharePct" fill="var(--brand)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="table small">
            <caption className="visually-hidden">Tracked wallets holding the token</caption>
            <thead>
              <tr>
                <th scope="col">Wallet</th>
                <th scope="col">Share of supply</th>
              </tr>
            </thead>
            <tbody>
              {view.holders.map((h) => (
                <tr key={h.address}>
                  <td>
                    {h.name} <span className="mono hint">{shortAddress(h.address)}</span>
                  </td>
                  <td>{h.sharePct === null ? "unknown" : `${h.sharePct.toFixed(2)} %`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export interface RiskPoint {
  when: string;
  score: number;
  level: string;
}

export function RiskOverTimeChart({ points, label }: { points: RiskPoint[]; label: string }) {
  return (
    <figure style={{ margin: 0 }}>
      <div style={{ width: "100%", height: 240 }} aria-hidden="true">
        <ResponsiveContainer>
          <LineChart data={points} margin={{ left: 0, right: 16, top: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="when" interval="preserveStartEnd" minTickGap={24} padding={{ left: 40, right: 40 }} />
            <YAxis domain={[0, 100]} />
            <Tooltip />
            <Line type="monotone" dataKey="score" stroke="var(--brand)" strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="hint">
        {label}: {points.map((p) => `${p.when} ${p.score} (${p.level})`).join(", ")}
      </figcaption>
    </figure>
  );
}
