"""Owner-power detection on REAL token bytecode launched on a local chain (a script, not a test).

    uv run python tests/benchmarks/eval_powers_chain.py [--limit N] [--neg-limit N] [--seed 0]
        [--data-dir ../shared/data] [--out build/eval_powers_chain.jsonl]

Data: MONEYGROW_DATA_DIR/token_bytecode - CRPWarner's hand-confirmed rug-pull contracts (label 1,
type in `detail`: hidden_mint, leaking_token, limiting_sell_order) and Etherscan-labelled project
tokens (label 0). Only runtime bytecode exists, so each token's launch is reconstructed on anvil:

1. anvil_setCode at the token's ORIGINAL address (self-references keep working);
2. the function inventory (moneygrow.chain.inventory) gives the balance mapping (the one balanceOf
   reads), the supply slot(s) and the owner slot (what owner() reads, else the access-check address
   variables);
3. storage is seeded: owner = DEPLOYER (impersonated, funded), balance[DEPLOYER] = supply = 1e27.
   Reflection tokens (two balance mappings) are "unseedable" and skipped; a token whose balanceOf
   does not then return the seeded amount is "seed failed" and skipped;
4. launch: DEPLOYER adds 50 % of the supply against 10 ETH on the local Uniswap V2 (canonical router),
   two retail wallets buy for 0.1 ETH each. When a step reverts, every no-argument "launch" function
   (enableTrading(), openTrading(), ...) is called once as DEPLOYER and the step is retried. Failures
   are recorded by stage (no pool, no retail); the token is analysed anyway;
5. the heuristic agent analyses the token (as bench_heuristic.py does) and its findings are mapped to
   the CRPWarner types. An evm_snapshot / evm_revert around each token keeps tokens independent.

Printed: per-type and micro precision / recall / F1 (flag = finding of severity >= MEDIUM, and the
>= HIGH variant), the share of confirmed scams with a HIGH/CRITICAL contract-evidence finding, false
alarms on project tokens (CRITICAL, rug_pull_toolkit, honeypot/transfer_blocked), analysis time and
counts per failure stage. Per-token details go to a JSON-lines file (--out).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

import requests  # noqa: E402
from eth_abi.abi import decode, encode  # noqa: E402
from eth_utils.address import to_checksum_address  # noqa: E402
from eth_utils.crypto import keccak  # noqa: E402

from devstack.chain import free_port, start_anvil  # noqa: E402
from devstack.dex import deploy_dex, seed_stable_pools  # noqa: E402
from moneygrow.agents.heuristic import analyse  # noqa: E402
from moneygrow.agents.runner import AgentDeps  # noqa: E402
from moneygrow.chain.bytecode import RISKY_FUNCTIONS  # noqa: E402
from moneygrow.chain.inventory import (  # noqa: E402
    APPROVE,
    BALANCE_OF,
    KNOWN_SIGNATURES,
    TRANSFER_FROM,
    inventory,
)
from moneygrow.chain.networks import NETWORKS  # noqa: E402
from moneygrow.chain.reader import chain_reader_factory  # noqa: E402
from moneygrow.chains import Chain  # noqa: E402
from moneygrow.config import Settings  # noqa: E402
from moneygrow.models import AnalysisTask, Severity  # noqa: E402

E18 = 10**18
SUPPLY = 10**9 * E18
LIQUIDITY_TOKENS = SUPPLY // 2
LIQUIDITY_ETH = 10 * E18
RETAIL_WEI = E18 // 10
DEADLINE = 2**40
TX_GAS = 3_000_000
ETHEREUM = NETWORKS[Chain.ETHEREUM]
ROUTER = to_checksum_address(ETHEREUM.dex.router)
FACTORY = to_checksum_address(ETHEREUM.dex.factory)
WETH = to_checksum_address(ETHEREUM.wrapped_native)
DEPLOYER = to_checksum_address(keccak(text="moneygrow.eval.deployer")[12:])
RETAIL = [to_checksum_address(keccak(text=f"moneygrow.eval.retail-{i}")[12:]) for i in (1, 2)]
OWNER_SELECTOR = "0x8da5cb5b"

TYPES = ("hidden_mint", "leaking_token", "limiting_sell_order")
FINDING_TYPE = {
    "owner_can_mint": "hidden_mint",
    "owner_can_change_balances": "leaking_token",
    **dict.fromkeys(
        (
            "owner_can_blacklist",
            "owner_can_pause_trading",
            "owner_can_set_fees",
            "owner_can_limit_transfers",
            "trading_toggle",
            "transfer_depends_on_external_contract",
            "honeypot",
            "holders_cannot_sell",
        ),
        "limiting_sell_order",
    ),
}
RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
NOT_CONTRACT_EVIDENCE = {"lp_not_locked", "owner_holds_supply", "holder_concentration", "no_liquidity"}
LAUNCH_SIGNATURES = {fn.signature for fn in RISKY_FUNCTIONS.values() if fn.category == "launch"}


def contract_evidence(ftype: str) -> bool:
    return not (ftype in NOT_CONTRACT_EVIDENCE or ftype.startswith(("lp_", "liquidity_", "smart_money")))


# --- JSON-RPC ---------------------------------------------------------------------------------------


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def __call__(self, method: str, *params: Any, timeout: float = 30.0) -> Any:
        r = self.session.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
            timeout=timeout,
        )
        r.raise_for_status()
        body = r.json()
        if "error" in body:
            raise RuntimeError(f"{method}: {str(body['error'])[:300]}")
        return body["result"]

    def call(self, to: str, data: str, sender: str | None = None) -> bytes:
        tx: dict[str, Any] = {"to": to, "data": data, "gas": hex(TX_GAS)}
        if sender:
            tx["from"] = sender
        return bytes.fromhex(self("eth_call", tx, "latest")[2:])

    def send(self, sender: str, to: str, data: str, value: int = 0) -> None:
        """Send from an impersonated account; raise when the transaction reverts."""
        tx = {"from": sender, "to": to, "data": data, "value": hex(value), "gas": hex(TX_GAS)}
        tx_hash = self("eth_sendTransaction", tx)
        receipt, deadline = None, time.monotonic() + 10.0
        while receipt is None and time.monotonic() < deadline:  # anvil may mine just after answering
            receipt = self("eth_getTransactionReceipt", tx_hash)
            if receipt is None:
                time.sleep(0.005)
        if receipt is None:
            raise RuntimeError(f"{data[:10]}: no receipt")
        if int(receipt["status"], 16) != 1:
            raise RuntimeError(f"{data[:10]}: reverted")


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def calldata(signature: str, types: list[str], args: list[Any]) -> str:
    return selector(signature) + encode(types, args).hex()


def word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def mapping_slot(key: str, slot: int) -> str:
    return word(int.from_bytes(keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")), "big"))


def balance_of(rpc: Rpc, token: str, holder: str) -> int | None:
    try:
        out = rpc.call(token, calldata("balanceOf(address)", ["address"], [holder]))
        return int(decode(["uint256"], out)[0]) if len(out) >= 32 else None
    except Exception:
        return None


# --- one token --------------------------------------------------------------------------------------


def slot_of(key: str) -> int:
    return int(key.split("+")[0], 16)


def seed(rpc: Rpc, token: str, code: bytes, rec: dict[str, Any]) -> bool:
    """setCode + storage seeding; False (with rec["stage"]) when the token cannot be launched."""
    rpc("anvil_setCode", token, "0x" + code.hex())
    inv = inventory(code)
    rec["selectors"] = sorted(inv.functions)
    if inv.error:
        rec["stage"] = "unseedable"
        rec["stage_detail"] = inv.error
        return False
    balance_keys = sorted(inv.balance_keys)
    rec["balance_keys"], rec["supply_keys"] = balance_keys, sorted(inv.supply_keys)
    if len(balance_keys) != 1:
        rec["stage"] = "unseedable"
        rec["stage_detail"] = (
            "reflection (two balance mappings)"
            if balance_keys
            else "balanceOf reads no mapping"
            if BALANCE_OF in inv.functions
            else "no balanceOf (not an ERC-20)"
        )
        return False
    owner_fn = inv.functions.get(OWNER_SELECTOR)
    owner_keys = sorted(
        k for k in (owner_fn.reads if owner_fn else ()) if (v := inv.variable(k)) is not None and v.is_address
    ) or sorted(k for k in inv.access_keys if (v := inv.variable(k)) is not None and v.is_address)
    rec["owner_keys"] = owner_keys
    for key in owner_keys:
        var = inv.variable(key)
        assert var is not None
        current = int(rpc("eth_getStorageAt", token, hex(var.slot), "latest"), 16)
        shift = var.offset * 8
        value = (current & ~(((1 << 160) - 1) << shift)) | (int(DEPLOYER, 16) << shift)
        rpc("anvil_setStorageAt", token, word(var.slot), word(value))
    rpc("anvil_setStorageAt", token, mapping_slot(DEPLOYER, slot_of(balance_keys[0])), word(SUPPLY))
    for key in inv.supply_keys:
        rpc("anvil_setStorageAt", token, word(slot_of(key)), word(SUPPLY))
    got = balance_of(rpc, token, DEPLOYER)
    if got != SUPPLY:
        rec["stage"] = "seed failed"
        rec["stage_detail"] = f"balanceOf(DEPLOYER) = {got}"
        return False
    rec["launch_functions"] = sorted(
        KNOWN_SIGNATURES[sel]
        for sel, fn in inv.functions.items()
        if KNOWN_SIGNATURES.get(sel) in LAUNCH_SIGNATURES
        and not fn.arguments
        and fn.mutability == "nonpayable"
    )
    return True


def enable_trading(rpc: Rpc, token: str, rec: dict[str, Any]) -> None:
    """Call every no-argument launch function once as DEPLOYER (only the first time we are asked)."""
    if rec.get("launch_called") is not None:
        return
    rec["launch_called"] = {}
    for sig in rec.get("launch_functions", []):
        try:
            rpc.send(DEPLOYER, token, selector(sig))
            rec["launch_called"][sig] = "ok"
        except Exception as exc:
            rec["launch_called"][sig] = str(exc)[:80]


def add_liquidity(rpc: Rpc, token: str) -> None:
    rpc.send(
        DEPLOYER,
        token,
        calldata("approve(address,uint256)", ["address", "uint256"], [ROUTER, LIQUIDITY_TOKENS]),
    )
    rpc.send(
        DEPLOYER,
        ROUTER,
        calldata(
            "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
            ["address", "uint256", "uint256", "uint256", "address", "uint256"],
            [token, LIQUIDITY_TOKENS, 0, 0, DEPLOYER, DEADLINE],
        ),
        value=LIQUIDITY_ETH,
    )


def retail_buy(rpc: Rpc, token: str, buyer: str) -> None:
    rpc.send(
        buyer,
        ROUTER,
        calldata(
            "swapExactETHForTokensSupportingFeeOnTransferTokens(uint256,address[],address,uint256)",
            ["uint256", "address[]", "address", "uint256"],
            [0, [WETH, token], buyer, DEADLINE],
        ),
        value=RETAIL_WEI,
    )


def launch(rpc: Rpc, token: str, rec: dict[str, Any]) -> None:
    failures: list[str] = rec["failures"]
    try:
        add_liquidity(rpc, token)
    except Exception as exc:
        rec["errors"].append(f"addLiquidity: {exc}"[:200])
        enable_trading(rpc, token, rec)
        try:
            add_liquidity(rpc, token)
        except Exception as exc2:
            rec["errors"].append(f"addLiquidity retry: {exc2}"[:200])
            failures.append("no pool")
            missing = [
                name
                for sel, name in ((APPROVE, "approve"), (TRANSFER_FROM, "transferFrom"))
                if sel not in rec["selectors"]
            ]
            rec["no_pool_reason"] = (
                f"no {'/'.join(missing)} function"
                if missing
                else "approve reverts"
                if APPROVE in str(exc2)
                else "transferFrom to the pair reverts"
            )
            return
    bought = 0
    for buyer in RETAIL:
        try:
            retail_buy(rpc, token, buyer)
            bought += 1
        except Exception as exc:
            rec["errors"].append(f"buy: {exc}"[:200])
            if rec.get("launch_called") is None:
                enable_trading(rpc, token, rec)
                try:
                    retail_buy(rpc, token, buyer)
                    bought += 1
                except Exception:
                    pass
    rec["retail_buys"] = bought
    if bought == 0:
        failures.append("no retail")
    elif bought < len(RETAIL):
        failures.append("partial retail")


def evaluate(rpc: Rpc, deps: AgentDeps, row: dict[str, str], base: Path, rec: dict[str, Any]) -> None:
    token = to_checksum_address(row["address"])
    code = bytes.fromhex((base / row["hex_file"]).read_text().strip().removeprefix("0x"))
    if not seed(rpc, token, code, rec):
        return
    launch(rpc, token, rec)
    task = AnalysisTask(task_id="e" * 32, user_id="eval", token_address=token, chain=Chain.ETHEREUM)
    start = time.perf_counter()
    result = analyse(task, deps)
    rec["analysis_ms"] = round((time.perf_counter() - start) * 1000, 1)
    rec["status"] = result.status.value
    rec["gaps"] = result.gaps
    rec["findings"] = [
        {
            "type": f.type,
            "severity": f.severity.value,
            "score": f.score,
            "executed": f.evidence.get("executed"),
        }
        for f in result.findings
    ]
    rec["reasons"] = {f.type: f.reason[:700] for f in result.findings if f.type in FINDING_TYPE}
    for floor, name in ((Severity.MEDIUM, "flagged"), (Severity.HIGH, "flagged_high")):
        rec[name] = sorted(
            {
                FINDING_TYPE[f.type]
                for f in result.findings
                if f.type in FINDING_TYPE and RANK[f.severity] >= RANK[floor]
            }
        )
    evidence = [f for f in result.findings if contract_evidence(f.type)]
    rec["max_contract_severity"] = (
        max(evidence, key=lambda f: RANK[f.severity]).severity.value if evidence else None
    )
    powers = result.data.get("powers") or {}
    rec["actors"] = powers.get("actors")
    rec["probes"] = powers.get("probes")
    rec["probes_reverted"] = powers.get("probes_reverted")
    rec["power_method"] = powers.get("method")
    rec["analysed"] = True


# --- report -----------------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def print_scores(recs: list[dict[str, Any]], key: str, title: str) -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for rec in recs:
        flagged, truth = set(rec[key]), set(rec["truth"])
        for t in TYPES:
            tp[t] += t in flagged and t in truth
            fp[t] += t in flagged and t not in truth
            fn[t] += t not in flagged and t in truth
    print(f"\n{title}")
    print(f"  {'type':22} {'P':>6} {'R':>6} {'F1':>6}   (tp fp fn)")
    for t in [*TYPES, "micro"]:
        a, b, c = (sum(d.values()) for d in (tp, fp, fn)) if t == "micro" else (tp[t], fp[t], fn[t])
        p, r, f1 = prf(a, b, c)
        print(f"  {t:22} {p:6.1%} {r:6.1%} {f1:6.3f}   ({a} {b} {c})")


def pct(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.1%})" if b else f"{a}/0"


def report(recs: list[dict[str, Any]], wall: float) -> None:
    done = [r for r in recs if r.get("analysed")]
    pos = [r for r in recs if r["label"] == 1]
    neg = [r for r in recs if r["label"] == 0]
    pos_done = [r for r in done if r["label"] == 1]
    neg_done = [r for r in done if r["label"] == 0]
    print(
        f"\ntokens: {len(pos)} confirmed scams, {len(neg)} project tokens; "
        f"analysed {len(pos_done)} + {len(neg_done)}"
    )
    print("stages (a token can have several):")
    for label, group in (("scams", pos), ("project", neg)):
        stages = Counter(r["stage"] for r in group if r.get("stage"))
        stages.update(f for r in group for f in r["failures"])
        stages["launched fully (pool + 2 buys)"] = sum(
            1 for r in group if r.get("analysed") and not r["failures"]
        )
        stages["launch function called"] = sum(1 for r in group if r.get("launch_called"))
        stages["no owner slot found (owner not seeded)"] = sum(
            1 for r in group if "owner_keys" in r and not r["owner_keys"]
        )
        stages.update(f"  {r['stage']}: {r['stage_detail']}" for r in group if r.get("stage_detail"))
        stages.update(f"  no pool: {r['no_pool_reason']}" for r in group if r.get("no_pool_reason"))
        print(f"  {label}:")
        for k, v in sorted(stages.items(), key=lambda kv: kv[0].strip()):
            print(f"    {k:45} {v}")
    print_scores(done, "flagged", "analysed tokens, flag = finding severity >= MEDIUM")
    print_scores(done, "flagged_high", "analysed tokens, flag = finding severity >= HIGH")
    launched = [r for r in done if not r["failures"]]
    print_scores(launched, "flagged", f"fully launched tokens only ({len(launched)}), severity >= MEDIUM")
    high = sum(1 for r in pos_done if r["max_contract_severity"] in ("HIGH", "CRITICAL"))
    print(f"\nconfirmed scams with a HIGH/CRITICAL contract-evidence finding: {pct(high, len(pos_done))}")
    for t in TYPES:
        group = [r for r in pos_done if t in r["truth"]]
        hit = sum(1 for r in group if r["max_contract_severity"] in ("HIGH", "CRITICAL"))
        print(f"  {t:22} {pct(hit, len(group))}")

    def any_type(r: dict[str, Any], types: set[str]) -> bool:
        return any(f["type"] in types for f in r["findings"])

    crit = sum(1 for r in neg_done if any(f["severity"] == "CRITICAL" for f in r["findings"]))
    toolkit = sum(1 for r in neg_done if any_type(r, {"rug_pull_toolkit"}))
    hp = sum(1 for r in neg_done if any_type(r, {"honeypot", "transfer_blocked"}))
    any_flag = sum(1 for r in neg_done if r["flagged"])
    any_high = sum(1 for r in neg_done if r["max_contract_severity"] in ("HIGH", "CRITICAL"))
    print(f"project tokens with any CRITICAL finding: {pct(crit, len(neg_done))}")
    print(f"project tokens with rug_pull_toolkit: {pct(toolkit, len(neg_done))}")
    print(f"project tokens with honeypot / transfer_blocked: {pct(hp, len(neg_done))}")
    print(f"project tokens with any mapped type >= MEDIUM: {pct(any_flag, len(neg_done))}")
    print(f"project tokens with a HIGH/CRITICAL contract-evidence finding: {pct(any_high, len(neg_done))}")
    executed = sum(1 for r in done if any(f["executed"] for f in r["findings"]))
    print(f"analysed tokens with an executed (probe-confirmed) finding: {pct(executed, len(done))}")
    ms = sorted(r["analysis_ms"] for r in done)
    if ms:
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(f"analysis time: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms")
    errors = Counter(r["error"].split(":")[0] for r in recs if r.get("error"))
    print(f"exceptions: {sum(errors.values())} {dict(errors)}")
    print(f"total wall time {wall:.0f} s")


# --- main -------------------------------------------------------------------------------------------


def load_rows(base: Path, limit: int, neg_limit: int | None, seed_: int) -> list[dict[str, str]]:
    rows = list(csv.DictReader((base / "labels.csv").open()))
    pos = [
        r
        for r in rows
        if r["label"] == "1" and r["label_source"].startswith("crpwarner") and "confirmed=Yes" in r["detail"]
    ]
    neg = [r for r in rows if r["label"] == "0"]
    rng = random.Random(seed_)
    rng.shuffle(pos)
    rng.shuffle(neg)
    neg_n = neg_limit if neg_limit is not None else limit
    return (pos[:limit] if limit else pos) + (neg[:neg_n] if neg_n else neg)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=0, help="tokens per class (0 = all)")
    parser.add_argument(
        "--neg-limit", type=int, default=120, help="project tokens (overrides --limit; 0 = all; default 120)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir", default=os.environ.get("MONEYGROW_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    )
    parser.add_argument("--out", default=str(ROOT / "build" / "eval_powers_chain.jsonl"))
    parser.add_argument("--quiet", action="store_true", help="no per-token line")
    args = parser.parse_args()
    base = Path(args.data_dir) / "token_bytecode"
    if not (base / "labels.csv").is_file():
        sys.exit(f"{base / 'labels.csv'} not found: pass --data-dir or set MONEYGROW_DATA_DIR")
    rows = load_rows(base, args.limit, args.neg_limit, args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    recs: list[dict[str, Any]] = []
    with start_anvil(free_port()) as anvil, out.open("w") as sink:
        rpc = Rpc(anvil.url)
        deploy_dex(anvil.url)
        seed_stable_pools(anvil.url)
        for account in (DEPLOYER, *RETAIL):
            rpc("anvil_setBalance", account, hex(1_000 * E18))
            rpc("anvil_impersonateAccount", account)
        settings = Settings(rpc_urls={c: [anvil.url] for c in Chain})
        deps = AgentDeps(settings=settings, chain=chain_reader_factory(settings), models=None)  # type: ignore[arg-type]
        print(f"anvil + DEX ready in {time.monotonic() - started:.1f} s; {len(rows)} tokens")
        for i, row in enumerate(rows):
            label = int(row["label"])
            truth = [t for t in TYPES if t in row["detail"]] if label == 1 else []
            rec: dict[str, Any] = {
                "address": row["address"].lower(),
                "label": label,
                "truth": truth,
                "label_source": row["label_source"],
                "conflict": row.get("conflict_across_sources") == "True",
                "failures": [],
                "errors": [],
                "flagged": [],
                "flagged_high": [],
                "findings": [],
            }
            snap = rpc("evm_snapshot")
            t0 = time.perf_counter()
            try:
                evaluate(rpc, deps, row, base, rec)
            except Exception as exc:
                rec["error"] = f"{type(exc).__name__}: {exc}"[:300]
                rec["traceback"] = traceback.format_exc(limit=4)[-1500:]
                rec["failures"].append("exception")
                rec.pop("analysed", None)
            finally:
                try:
                    rpc("evm_revert", snap)
                except Exception as exc:  # anvil died: nothing else can run
                    rec["error"] = f"evm_revert: {exc}"
                    recs.append(rec)
                    sink.write(json.dumps(rec, default=str) + "\n")
                    raise
            rec["seconds"] = round(time.perf_counter() - t0, 2)
            rec.pop("selectors", None)
            recs.append(rec)
            sink.write(json.dumps(rec, default=str) + "\n")
            sink.flush()
            if not args.quiet:
                print(
                    f"[{i + 1:3d}/{len(rows)}] {rec['address']} y={label} truth={','.join(truth) or '-':28} "
                    f"{rec.get('stage') or ('+'.join(rec['failures']) or 'launched'):22} "
                    f"flag={','.join(rec['flagged']) or '-':40} max={rec.get('max_contract_severity')} "
                    f"{rec['seconds']:.1f}s",
                    flush=True,
                )
    report(recs, time.monotonic() - started)
    print(f"per-token records: {out}")


if __name__ == "__main__":
    main()
