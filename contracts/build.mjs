// Compiles contracts/src/**/*.sol (src/*.sol, src/dex/, src/zoo/) with solcjs (standard JSON, offline)
// into contracts/artifacts/<ContractName>.json. Contract names must be unique across all sources.
// Each artefact records the compiler version and the sha256 of its source so tests can detect drift.
// Usage: node build.mjs   (or: npm run build)
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, "src");
const outDir = join(here, "artifacts");

const compiler = solc.version();
if (!compiler.startsWith("0.8.")) {
  throw new Error(`expected a 0.8.x solc, got ${compiler} (npm solc versions can bundle other compilers)`);
}

// Source unit names are paths relative to src/ ("DemoToken.sol", "zoo/Honeypot.sol"), sorted, so the
// compiler input - and with it every artefact - is the same on every run.
function solFiles(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...solFiles(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith(".sol")) out.push(`${prefix}${entry.name}`);
  }
  return out;
}
const files = solFiles(srcDir).sort();
const sources = {};
const hashes = {};
for (const f of files) {
  const content = readFileSync(join(srcDir, f), "utf8");
  sources[f] = { content };
  hashes[f] = createHash("sha256").update(readFileSync(join(srcDir, f))).digest("hex");
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none" },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

mkdirSync(outDir, { recursive: true });
const seen = new Map();
for (const f of files) {
  for (const [name, c] of Object.entries(output.contracts[f] || {})) {
    if (!c.evm.bytecode.object) continue; // interfaces and abstract contracts: nothing to deploy
    if (seen.has(name)) throw new Error(`contract ${name} is defined in both ${seen.get(name)} and ${f}`);
    seen.set(name, f);
    const artefact = {
      contractName: name,
      sourceName: `src/${f}`,
      sourceHash: hashes[f],
      compiler,
      settings: { optimizer: input.settings.optimizer, evmVersion: input.settings.evmVersion },
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artefact, null, 2) + "\n");
    console.log(`wrote artifacts/${name}.json (${c.evm.deployedBytecode.object.length / 2} bytes runtime)`);
  }
}
