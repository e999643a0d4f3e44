"""Regenerate ml/REPORT.md and its plots (ml/report/*.png) from the labelled data, in one command.

    uv run python -m ml.report [--data-dir ../shared/data]

Everything is measured on held-out rows of splits grouped so that nothing leaks: liquidity by token
creator (a serial rugger's pools on one side), bytecode by duplicate code (the compiler's metadata
stripped). Models compared: the served gradient boosting, logistic regression, and the heuristic
score alone (liquidity: the creator's LP share, what the heuristic's lp_not_locked rule reads;
bytecode: the number of owner powers the static storage analysis finds).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))

import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, roc_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from moneygrow.chain.inventory import inventory
from moneygrow.heuristics.powers import static_powers
from moneygrow.ml import liquidity_model, training
from moneygrow.ml.evaluation import grouped_folds, metrics, reliability

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ml"
PLOTS = OUT / "report"
Curves = dict[str, tuple[NDArray[Any], NDArray[Any]]]


def _row(name: str, m: dict[str, Any]) -> str:
    def f(key: str, digits: int = 3) -> str:
        v = m.get(key)
        return f"{v:.{digits}f}" if isinstance(v, float) else "-"

    return (
        f"| {name} | {m.get('n', 0)} | {m.get('positives', 0)} | {f('roc_auc')} | {f('pr_auc')} | "
        f"{f('recall_at_fpr_1pct', 2)} | {f('recall_at_fpr_5pct', 2)} | {f('brier')} | "
        f"{f('brier_base_rate')} |"
    )


HEADER = (
    "| model | n | scams | ROC-AUC | PR-AUC | recall @1 % FPR | recall @5 % FPR | Brier "
    "| Brier of the base rate |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def _plot_curves(curves: Curves, title: str, path: Path, kind: str) -> None:
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=110)
    for name, (y, p) in curves.items():
        if kind == "roc":
            a, b, _ = roc_curve(y, p)
            ax.plot(a, b, label=name)
        else:
            prec, rec, _ = precision_recall_curve(y, p)
            ax.plot(rec, prec, label=name)
    if kind == "roc":
        ax.axvline(0.01, color="grey", lw=0.6)
        ax.axvline(0.05, color="grey", lw=0.6)
        ax.set(xlabel="false-positive rate", ylabel="recall", xscale="log", xlim=(0.003, 1))
    else:
        ax.set(xlabel="recall", ylabel="precision")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_reliability(items: dict[str, tuple[NDArray[Any], NDArray[Any]]], title: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(4.6, 4.2), dpi=110)
    ax.plot([0, 1], [0, 1], ":", color="grey")
    for name, (y, p) in items.items():
        pts = reliability(y, p)
        ax.plot([q["p_mean"] for q in pts], [q["observed"] for q in pts], "o-", label=name, ms=3)
    ax.set(xlabel="predicted probability", ylabel="observed share of scams", title=title)
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def liquidity_section(data_dir: Path) -> list[str]:
    data = liquidity_model.load_liquidity(data_dir)
    held = liquidity_model.holdout_predictions(data)
    test, train = held["test"], held["train"]
    y = data.y[test]
    prior = float(data.y[train].mean())
    heuristic = data.columns(["lp_creator_holding_ratio"])[test, 0]
    preds = dict(held["pred"])
    preds["heuristic_creator_lp_share"] = heuristic
    labels = {
        "gbm_served": "GBM, served (17 features)",
        "gbm_without_window": "GBM without window features (10)",
        "gbm_state_only": "GBM, end-of-window state only (6)",
        "gbm_all_18": "GBM + creator's pool count (18)",
        "logreg_served": "logistic regression (17)",
        "logreg_without_window": "logistic regression without window features",
        "heuristic_creator_lp_share": "heuristic: creator's LP share alone",
    }
    _plot_curves(
        {labels[k]: (y, p) for k, p in preds.items()},
        "liquidity: ROC (held out)",
        PLOTS / "liquidity_roc.png",
        "roc",
    )
    _plot_curves(
        {labels[k]: (y, p) for k, p in preds.items()},
        "liquidity: precision-recall",
        PLOTS / "liquidity_pr.png",
        "pr",
    )
    _plot_reliability(
        {"served (isotonic)": (y, preds["gbm_served"]), "logistic regression": (y, preds["logreg_served"])},
        "liquidity: reliability (held out)",
        PLOTS / "liquidity_reliability.png",
    )
    lines = [
        "## Liquidity model (scam_liquidity)",
        "",
        f"Data: rugpull_liquidity_features, {len(data.y)} Uniswap-V2 WETH pairs, "
        f"{int(data.y.sum())} rug pulls ({data.y.mean():.0%}). Held out: {len(test)} pairs (one of 5 "
        "folds stratified and **grouped by token creator**; pairs without a known creator are their own "
        f"group). Probabilities are calibrated to this data set's {prior:.0%} share of rug pulls.",
        "",
        HEADER,
        *[_row(labels[k], metrics(y, p, prior)) for k, p in preds.items()],
        "",
        "Window-dependent features (the per-week counts and mean periods) may leak the label (the data's "
        "README: negatives' windows are fixed, positives' stop at the rug); the rows without them and with "
        "the end-of-window state only show how much of the figure rests on them. The creator's pool count "
        "(number_of_token_creation_of_creator) is relative to the data set and cannot be computed from one "
        "token's logs: the served model leaves it out (compare the 18-feature row).",
        "",
        "By pair creation year (served model, held out):",
        "",
        HEADER,
    ]
    years = np.array([data.created[i][:4] or "unknown" for i in test])
    for yr in sorted(set(years.tolist())):
        sel = years == yr
        lines.append(_row(str(yr), metrics(y[sel], preds["gbm_served"][sel], prior)))
    lines += [
        "",
        "![liquidity ROC](report/liquidity_roc.png) ![liquidity PR](report/liquidity_pr.png) "
        "![liquidity reliability](report/liquidity_reliability.png)",
        "",
        "**A pool a few hours old**: the source measured its healthy pools one day after creation and its "
        "rug pulls at the rug (often within hours), so below one day of history the window features would "
        "compare a young pool with rug pulls only. The served model answers *insufficient history* for "
        "pools younger than 24 h (and for pools whose creation is older than the 250,000 blocks read, and "
        "for pools already emptied, which the source never scored), never a number.",
        "",
    ]
    return lines


def bytecode_section(data_dir: Path) -> list[str]:
    rows = training.load_token_bytecode(data_dir)
    codes = [r.code for r in rows]
    x = training.feature_matrix(codes)
    y = np.array([r.label for r in rows])
    groups = training.code_groups(codes)
    meta = training._meta(codes)
    train, test = grouped_folds(y, groups, folds=4, seed=0)[0]
    gbm = training.make_model(int(min(y[train].sum(), len(train) - y[train].sum()))).fit(x[train], y[train])
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(x[train], y[train])
    started = time.perf_counter()
    powers = np.array([len(static_powers(inventory(codes[i]), [])) for i in test], dtype=float)
    inventory_s = time.perf_counter() - started
    yt = y[test]
    prior = float(y[train].mean())
    preds = {
        "GBM, served features": gbm.predict_proba(x[test])[:, 1],
        "logistic regression": lr.predict_proba(x[test])[:, 1],
        "heuristic: static owner powers": powers,
    }
    _plot_curves(
        {k: (yt, p) for k, p in preds.items()},
        "bytecode: ROC (held out, solc < 0.6 only)",
        PLOTS / "bytecode_roc.png",
        "roc",
    )
    _plot_reliability(
        {
            "GBM (sigmoid)": (yt, preds["GBM, served features"]),
            "logistic regression": (yt, preds["logistic regression"]),
        },
        "bytecode: reliability (held out)",
        PLOTS / "bytecode_reliability.png",
    )
    eras: dict[str, dict[int, int]] = {}
    for era, label in zip(meta["era"].tolist(), y.tolist(), strict=True):
        eras.setdefault(era, {0: 0, 1: 0})[label] += 1
    lines = [
        "## Bytecode model (scam_bytecode)",
        "",
        f"Data: token_bytecode, {len(rows)} tokens ({int(y.sum())} scams), label 0/1 without cross-source "
        f"conflicts. Held out: {len(test)} tokens (one of 4 folds **grouped by duplicate code**, metadata "
        "stripped).",
        "",
        "Training code per compiler era: "
        + ", ".join(f"{e}: {c[1]} scams / {c[0]} legit" for e, c in sorted(eras.items()))
        + ". **There is no labelled code compiled with solc >= 0.6**, so no within-era figure exists "
        "for it, and the served model answers *no basis* for such code (and for code farther from every "
        "training token than 99 % of training tokens are from their nearest neighbour).",
        "",
        HEADER,
        *[_row(k, metrics(yt, p, prior)) for k, p in preds.items()],
        "",
        "Within compiler epochs (served features, held out; both classes exist in each):",
        "",
        HEADER,
    ]
    epochs = meta["epoch"][test]
    for ep in sorted(set(epochs.tolist())):
        sel = epochs == ep
        lines.append(_row(ep, metrics(yt[sel], preds["GBM, served features"][sel], prior)))
    lines += [
        "",
        f"(The static analysis took {inventory_s / max(len(test), 1) * 1000:.0f} ms a token here; its "
        "count is a ranking, not a probability: no Brier score.)",
        "",
        "![bytecode ROC](report/bytecode_roc.png) ![bytecode reliability](report/bytecode_reliability.png)",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", default=os.environ.get("MONEYGROW_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    plt.switch_backend("Agg")
    PLOTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with threadpool_limits(1):
        body = liquidity_section(data_dir) + bytecode_section(data_dir)
    head = [
        "# ML evaluation report",
        "",
        f"Generated by `uv run python -m ml.report` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{time.perf_counter() - started:.0f} s (do not edit by hand). All figures are on held-out rows; "
        "recall at x % FPR is the share of scams caught at the threshold that flags at most x % of the "
        "legitimate held-out rows.",
        "",
    ]
    (OUT / "REPORT.md").write_text("\n".join(head + body))
    print(f"wrote {OUT / 'REPORT.md'} and {PLOTS}/*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
