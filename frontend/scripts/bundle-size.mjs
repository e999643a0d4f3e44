// The initial bundle, gzipped: what index.html loads before the app can paint (its scripts, styles
// and modulepreloads). Lazy chunks (the charts) are listed apart. Fails above the budget.
//   node scripts/bundle-size.mjs [--json]
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = new Set(["index.html"]);
for (const match of html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) initial.add(match[1]);

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;
const initialKb = [...initial].reduce((sum, file) => sum + gz(file), 0);
const lazy = readdirSync(join(dist, "assets"))
  .map((f) => `assets/${f}`)
  .filter((f) => /\.(js|css)$/.test(f) && !initial.has(f))
  .map((f) => ({ file: f, kb: Number(gz(f).toFixed(1)) }));

const report = { initial_gzip_kb: Number(initialKb.toFixed(1)), budget_kb: BUDGET_KB, initial: [...initial], lazy };
if (process.argv.includes("--json")) console.log(JSON.stringify(report));
else {
  console.log(`initial bundle: ${report.initial_gzip_kb} kB gzipped (budget ${BUDGET_KB} kB): ${[...initial].join(", ")}`);
  for (const l of lazy) console.log(`  lazy: ${l.file} ${l.kb} kB gzipped`);
}
if (initialKb > BUDGET_KB) {
  console.error(`the initial bundle is over budget: ${initialKb.toFixed(1)} kB > ${BUDGET_KB} kB`);
  process.exit(1);
}
