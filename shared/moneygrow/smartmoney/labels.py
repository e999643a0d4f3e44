"""The explorer name tags (MONEYGROW_DATA_DIR/wallet_labels/address_labels_all_chains.csv) as
registry labels. Read by the seed command only: in the cloud the agent reads them from the registry.

Categories: the file's coarse `category` (cex, bridge, fund_or_market_maker, dex_or_defi, malicious,
token, other), refined: a `mev-bot` tag is `mev_bot`; a row for a token contract is `token`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eth_utils.address import is_address, to_checksum_address

from moneygrow.chains import Chain

LABELS_FILE = Path("wallet_labels") / "address_labels_all_chains.csv"
# What the agent needs to recognise (entities to exclude from whales and smart money, or funds).
DEFAULT_CATEGORIES = frozenset(
    {"cex", "bridge", "fund_or_market_maker", "mev_bot", "dex_or_defi", "malicious"}
)


@dataclass(frozen=True)
class Label:
    chain: Chain
    address: str
    name: str
    category: str


def category_of(row: dict[str, str]) -> str:
    tags = set((row.get("labels") or "").split(";"))
    if "mev-bot" in tags:
        return "mev_bot"
    if (row.get("kind") or "") == "token":
        return "token"
    return row.get("category") or "other"


def read_labels(data_dir: str | Path, categories: frozenset[str] = DEFAULT_CATEGORIES) -> Iterator[Label]:
    """The labels of the chains MoneyGrow serves, in the wanted categories."""
    chains = {c.value: c for c in Chain}
    with (Path(data_dir) / LABELS_FILE).open(newline="") as f:
        for row in csv.DictReader(f):
            chain = chains.get(row.get("chain") or "")
            address = row.get("address") or ""
            if chain is None or not is_address(address):
                continue
            category = category_of(row)
            if category in categories:
                yield Label(chain, to_checksum_address(address), (row.get("name") or "")[:120], category)
