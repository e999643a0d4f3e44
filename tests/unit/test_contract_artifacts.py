"""The committed contract artefacts must match the current Solidity sources (no drift)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
SOURCES = sorted((CONTRACTS / "src").rglob("*.sol"))
TOKEN_DIRS = {"src", "zoo", "dex"}  # src/*.sol, src/zoo/ and src/dex/ hold ERC-20 tokens


def test_every_source_has_an_artefact() -> None:
    assert SOURCES, "no Solidity sources found"
    for src in SOURCES:
        assert (CONTRACTS / "artifacts" / f"{src.stem}.json").is_file(), (
            f"missing artefact for {src.name}: run `node contracts/build.mjs`"
        )


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_artefact_matches_source(src: Path) -> None:
    artefact = json.loads((CONTRACTS / "artifacts" / f"{src.stem}.json").read_text())
    assert artefact["sourceHash"] == hashlib.sha256(src.read_bytes()).hexdigest(), (
        f"{src.name} changed since its artefact was built: run `node contracts/build.mjs`"
    )
    assert artefact["compiler"].startswith("0.8."), artefact["compiler"]
    assert artefact["bytecode"].startswith("0x") and len(artefact["bytecode"]) > 100
    assert artefact["deployedBytecode"].startswith("0x") and len(artefact["deployedBytecode"]) > 100
    if src.parent.name in TOKEN_DIRS:  # a token file: its token may sit behind a proxy (zoo)
        same_file = [
            json.loads(a.read_text())
            for a in (CONTRACTS / "artifacts").glob("*.json")
            if json.loads(a.read_text())["sourceName"] == artefact["sourceName"]
        ]
        assert any(item.get("name") == "transfer" for a in same_file for item in a["abi"])


ARTEFACTS = sorted((CONTRACTS / "artifacts").glob("*.json"))


@pytest.mark.parametrize("path", ARTEFACTS, ids=[a.stem for a in ARTEFACTS])
def test_every_artefact_is_built_from_a_current_source(path: Path) -> None:
    """Also the extra contracts of multi-contract files (e.g. a proxy's implementations)."""
    artefact = json.loads(path.read_text())
    src = CONTRACTS / artefact["sourceName"]
    assert src.is_file(), f"{path.name}: source {artefact['sourceName']} is gone: rebuild the artefacts"
    assert artefact["sourceHash"] == hashlib.sha256(src.read_bytes()).hexdigest(), (
        f"{src.name} changed since {path.name} was built: run `node contracts/build.mjs`"
    )
