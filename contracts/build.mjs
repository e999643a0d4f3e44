// Compiles contracts/src/*.sol with solcjs (standard JSON, offline) into contracts/artifacts/<Name>.json.
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

const files = readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort();
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
for (const f of files) {
  for (const [name, c] of Object.entries(output.contracts[f] || {})) {
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
