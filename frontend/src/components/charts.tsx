// Everything that needs Recharts, in one lazily loaded chunk.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { amount, type FlowBucket, type FlowSpan } from "../lib/smartMoney";

function bucketLabel(iso: string, span: FlowSpan): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return span === "24h"
    ? date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit" });
}

const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** The largest holders' DEX buys (up) and sells (down) per bucket (whale_flows.series). */
export function WhaleFlowChart({ rows, span }: { rows: FlowBucket[]; span: FlowSpan }) {
  const data = rows.map((r) => ({ when: bucketLabel(r.start, span), bought: r.bought, sold: -r.sold, net: r.net }));
  return (
    <div style={{ width: "100%", height: 240 }} aria-hidden="true">
      <ResponsiveContainer>
        <BarChart data={data} stackOffset="sign" margin={{ left: 8, right: 16, top: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="when" interval="preserveStartEnd" minTickGap={24} />
          <YAxis tickFormatter={(v: number) => COMPACT.format(v)} width={56} />
          <ReferenceLine y={0} stroke="var(--muted)" />
          <Tooltip formatter={(v, name) => [amount(Math.abs(Number(v))), String(name)]} />
          <Legend />
          <Bar dataKey="bought" name="bought" stackId="flow" fill="var(--low)" isAnimationActive={false} />
          <Bar dataKey="sold" name="sold" stackId="flow" fill="var(--critical)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
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
