"""The registry job: score the wallets that trade the tracked tokens, and seed the labels.

    refresh(registry, readers, now)  # the scheduled Lambda (EventBridge -> functions/jobs/wallet_registry)
    python -m moneygrow.smartmoney.job seed [--data-dir DIR] [--categories cex,bridge,...]
    python -m moneygrow.smartmoney.job refresh [--track <chain>:<token> ...]

Each run takes the MAX_TOKENS tokens scanned longest ago (never-scanned first; it stops taking more
once MAX_WALLETS wallets are to be rescored), reads each one's
market (the same bounded log reading as the agent), replaces every trader's record for that token,
then rescores every wallet it touched from all of its records (moneygrow.smartmoney.scoring).
Writes are replacements computed from the chain, so a retried or repeated run leaves the same
registry: the job is idempotent. A token the chain could not serve is retried at the next run; when
some failed, the run raises after finishing the others, so Lambda's retries and then its dead-letter
queue see it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import ChainReader, ChainUnavailable, RpcError
from moneygrow.chains import Chain
from moneygrow.smartmoney.history import LogBudget
from moneygrow.smartmoney.labels import DEFAULT_CATEGORIES, Label, read_labels
from moneygrow.smartmoney.market import read_market
from moneygrow.smartmoney.scoring import PARAMETERS, TokenRecord, score_wallet, token_record
from moneygrow.store.wallets import WalletRegistry

log = logging.getLogger(__name__)

MAX_TOKENS = 25  # tokens per run (each costs at most the log budget's calls)
MAX_WALLETS = 5_000  # wallets rescored per run (2 DynamoDB calls each): later tokens wait for the next run
_NEVER = datetime.min.replace(tzinfo=UTC)


class RefreshIncomplete(Exception):
    """Some tracked tokens could not be read; the others were scored."""


def refresh(
    registry: WalletRegistry,
    readers: Callable[[Chain], ChainReader],
    now: datetime,
    *,
    budget: LogBudget | None = None,
    max_tokens: int = MAX_TOKENS,
) -> dict[str, Any]:
    tracked = sorted(registry.tracked_tokens(), key=lambda t: (t.scanned_at or _NEVER, t.token))[:max_tokens]
    touched: dict[Chain, set[str]] = defaultdict(set)
    scanned, skipped, failed, deferred = [], [], [], []
    for t in tracked:
        if sum(len(w) for w in touched.values()) >= MAX_WALLETS:
            deferred.append(f"{t.chain.value}:{t.token}")  # not marked scanned: first in line next run
            continue
        try:
            market = read_market(readers(t.chain), NETWORKS[t.chain], t.token, budget or LogBudget())
        except (ChainUnavailable, RpcError, ValueError) as exc:
            failed.append(f"{t.chain.value}:{t.token}: {type(exc).__name__}: {exc}"[:300])
            continue
        history = market.history
        if history is None or history.truncated or history.error:
            skipped.append(
                f"{t.chain.value}:{t.token}: {history.truncated or history.error if history else 'no code'}"
            )
            registry.mark_scanned(t.chain, t.token, market.head_number, now)
            continue
        buyers = sum(1 for p in market.positions.values() if p.buys)
        peak = market.peak
        records = {
            wallet: token_record(t.token, market.quote or "", p, buyers, peak).as_dict()
            for wallet, p in market.positions.items()
        }
        registry.put_records(t.chain, t.token, records)
        registry.mark_scanned(t.chain, t.token, market.head_number, now)
        touched[t.chain] |= set(records)
        scanned.append(f"{t.chain.value}:{t.token}")
    scored = smart = 0
    for chain, wallets in touched.items():
        ordered = sorted(wallets)
        profiles = registry.get_wallets(chain, ordered)
        for wallet in ordered:
            record_list = [TokenRecord.from_dict(r) for r in registry.records_of(chain, wallet)]
            profile = profiles.get(wallet)
            result = score_wallet(record_list, profile.category if profile else "")
            registry.put_score(chain, wallet, result.as_dict(), now)
            scored += 1
            smart += result.smart
    report = {
        "tracked": len(tracked),
        "scanned": scanned,
        "skipped": skipped,
        "failed": failed,
        "deferred": deferred,
        "wallets_scored": scored,
        "smart_wallets": smart,
        "parameters": PARAMETERS,
    }
    log.info("wallet registry refreshed", extra={k: v for k, v in report.items() if k != "parameters"})
    if failed:
        raise RefreshIncomplete(json.dumps(report)[:2000])
    return report


def seed(registry: WalletRegistry, labels: Iterable[Label]) -> int:
    """Write the labels (label and category only: scores are kept). Idempotent."""
    by_chain: dict[Chain, list[tuple[str, str, str]]] = defaultdict(list)
    for label in labels:
        by_chain[label.chain].append((label.address, label.name, label.category))
    return sum(registry.put_labels(chain, rows) for chain, rows in by_chain.items())


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """The scheduled Lambda's work: track the tokens the event names (optional), then refresh."""
    from moneygrow.chain.reader import chain_reader_factory
    from moneygrow.config import get_settings
    from moneygrow.store.factory import wallet_registry_from_settings

    settings = get_settings()
    registry = wallet_registry_from_settings(settings)
    now = datetime.now(UTC)
    for item in event.get("track") or []:
        registry.track_token(Chain(item["chain"]), item["token"], now)
    return refresh(registry, chain_reader_factory(settings), now)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    seed_cmd = sub.add_parser("seed", help="write the explorer labels into the registry")
    seed_cmd.add_argument("--data-dir", default=os.environ.get("MONEYGROW_DATA_DIR", ""))
    seed_cmd.add_argument("--categories", default=",".join(sorted(DEFAULT_CATEGORIES)))
    run = sub.add_parser("refresh", help="score the wallets of the tracked tokens now")
    run.add_argument("--track", action="append", default=[], help="<chain>:<token address>")
    args = parser.parse_args(argv)
    if args.command == "seed":
        from moneygrow.config import get_settings
        from moneygrow.store.factory import wallet_registry_from_settings

        if not args.data_dir:
            parser.error("no data directory: --data-dir or MONEYGROW_DATA_DIR")
        categories = frozenset(c for c in args.categories.split(",") if c)
        count = seed(wallet_registry_from_settings(get_settings()), read_labels(args.data_dir, categories))
        print(f"{count} labels written")
        return 0
    track = [dict(zip(("chain", "token"), t.split(":", 1), strict=True)) for t in args.track]
    print(json.dumps(handle({"track": track}), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
