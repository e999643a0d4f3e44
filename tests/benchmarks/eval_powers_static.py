"""Owner powers from storage analysis alone, on the labelled real bytecode (a script, not a test).

    uv run python tests/benchmarks/eval_powers_static.py [--data-dir ../shared/data]

Reads MONEYGROW_DATA_DIR/token_bytecode (CRPWarner's hand-confirmed rug-pull contracts with their
type - hidden mint, leaking token, limiting sell - and Etherscan-labelled project tokens) and prints
per-type precision / recall / F1 of the STATIC part of the owner-power analysis (inventory + storage
evidence, heuristics.powers.static_powers), micro-averaged, and how many project tokens it flags.
On a chain the probe executes these functions instead; this is the floor when it cannot.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from moneygrow.chain.inventory import inventory  # noqa: E402
from moneygrow.heuristics.powers import static_powers  # noqa: E402

TYPES = {
    "hidden_mint": {"mint"},
    "leaking_token": {"leak"},
    "limiting_sell_order": {"blacklist", "pause", "fee", "limit"},
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", default=os.environ.get("MONEYGROW_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    )
    args = parser.parse_args()
    base = Path(args.data_dir) / "token_bytecode"
    rows = list(csv.DictReader((base / "labels.csv").open()))
    tp = dict.fromkeys(TYPES, 0)
    fp = dict.fromkeys(TYPES, 0)
    fn = dict.fromkeys(TYPES, 0)
    flagged_benign = benign = 0
    ms: list[float] = []
    for row in rows:
        confirmed = row["label_source"].startswith("crpwarner") and "confirmed=Yes" in row["detail"]
        negative = row["label"] == "0"
        if not (confirmed or negative):
            continue
        code = bytes.fromhex((base / row["hex_file"]).read_text().strip().removeprefix("0x"))
        start = time.perf_counter()
        kinds = {p.kind for p in static_powers(inventory(code), [])}
        ms.append((time.perf_counter() - start) * 1000)
        truth = {t for t in TYPES if t in row["detail"]} if confirmed else set()
        for t, mapped in TYPES.items():
            found = bool(kinds & mapped)
            tp[t] += found and t in truth
            fp[t] += found and t not in truth
            fn[t] += (not found) and t in truth
        if negative:
            benign += 1
            flagged_benign += bool(kinds)
    print(f"{'type':22} {'P':>6} {'R':>6} {'F1':>6}   (tp fp fn)")
    for t in [*TYPES, "micro"]:
        a, b, c = (sum(d.values()) for d in (tp, fp, fn)) if t == "micro" else (tp[t], fp[t], fn[t])
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{t:22} {p:6.1%} {r:6.1%} {f1:6.3f}   ({a} {b} {c})")
    print(f"project tokens with any static power: {flagged_benign} of {benign}")
    ms.sort()
    print(
        f"inventory + static analysis: median {ms[len(ms) // 2]:.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
