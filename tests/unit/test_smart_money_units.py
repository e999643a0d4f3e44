"""Smart money without a chain: the scoring rule, sandwich detection, block times, the wallet
registry on both implementations (DynamoDB under moto and in-memory) and the label file reader."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from moto import mock_aws

from moneygrow.chains import Chain
from moneygrow.smartmoney.history import Clock, sample_blocks
from moneygrow.smartmoney.labels import read_labels
from moneygrow.smartmoney.scoring import MIN_TOKENS, SMART_SCORE, TokenRecord, score_wallet
from moneygrow.smartmoney.trades import Trade, positions, sandwiches
from moneygrow.store.wallets import MemoryWalletRegistry, WalletRegistry

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B, C = (f"0x{i:040x}" for i in (0xA1, 0xB2, 0xC3))
TOKENS = [f"0x{i:040x}" for i in range(0x100, 0x106)]


def _record(token: str, *, win: bool, early: bool, top: bool, sandwiches: int = 0) -> TokenRecord:
    return TokenRecord(token, 1, 1, early, win, top, 0.5 if win else -0.2, 10, "ETH", sandwiches, 1)


def test_a_record_across_tokens_is_smart_and_one_lucky_trade_is_not() -> None:
    good = [_record(t, win=True, early=True, top=True) for t in TOKENS[:MIN_TOKENS]]
    assert score_wallet(good).smart and score_wallet(good).score == 100
    lucky = score_wallet(good[:1])
    assert not lucky.smart and lucky.score < SMART_SCORE  # capped at a third
    mixed = score_wallet([*good[:2], *[_record(t, win=False, early=False, top=False) for t in TOKENS[2:6]]])
    assert not mixed.smart  # 2 wins of 6, late: a coin flip, not judgement


def test_mev_bots_and_labelled_entities_are_never_smart() -> None:
    good = [_record(t, win=True, early=True, top=True) for t in TOKENS[:4]]
    bot = score_wallet([*good[:3], _record(TOKENS[3], win=True, early=True, top=True, sandwiches=2)])
    assert bot.mev and not bot.smart and "MEV" in bot.why
    assert not score_wallet(good, category="cex").smart
    assert score_wallet(good, category="fund_or_market_maker").smart


def _t(wallet: str, side: str, block: int, index: int, tokens: int = 100, quote: int = 10) -> Trade:
    return Trade(wallet, side, block, index, f"0x{block:04x}{index:04x}", tokens, quote)


def test_sandwiches_and_positions() -> None:
    trades = [
        _t(A, "buy", 5, 0, 100, 10),
        _t(B, "buy", 5, 1, 100, 12),
        _t(A, "sell", 5, 2, 100, 13),  # A sandwiched B
        _t(C, "buy", 6, 0),
        _t(C, "sell", 6, 1),  # a round trip with nobody in between is not a sandwich
        _t(B, "sell", 9, 0, 50, 30),
    ]
    assert sandwiches(trades) == {A: 1}
    pos = positions(trades)
    assert [pos[w].entry_rank for w in (A, B, C)] == [0, 1, 2]
    assert pos[A].sandwiches == 1 and pos[C].sandwiches == 0
    assert pos[B].realised_pnl == 30 - 6 and pos[B].closed_share == 0.5
    assert pos[B].realised_roi == pytest.approx(4.0)
    assert pos[B].unrealised_pnl(50, 0.5) == 25 - 6


def test_clock_interpolates_and_sampling_is_bounded() -> None:
    clock = Clock({10: 1000, 20: 1100})
    assert clock.at(15) == 1050 and clock.at(10) == 1000 and clock.at(30) == 1200
    assert Clock({10: 1000}).at(12) == 1024  # one known block: 12 s blocks
    picked = sample_blocks(range(1000), 48)
    assert len(picked) <= 48 and picked[0] == 0 and picked[-1] == 999


@pytest.fixture(params=["memory", "dynamodb"])
def registry(request: pytest.FixtureRequest) -> Iterator[WalletRegistry]:
    if request.param == "memory":
        yield MemoryWalletRegistry()
        return
    with mock_aws():
        from moneygrow.store.dynamo import Item
        from moneygrow.store.wallets_dynamo import DynamoWalletRegistry

        dynamo = DynamoWalletRegistry("wallet-registry-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield dynamo


def test_registry_labels_and_scores_do_not_overwrite_each_other(registry: WalletRegistry) -> None:
    registry.put_labels(Chain.ETHEREUM, [(A, "Binance 14", "cex")])
    registry.put_score(Chain.ETHEREUM, A, {"score": 12, "smart": False, "mev": False, "why": "x"}, T0)
    registry.put_score(Chain.ETHEREUM, B, {"score": 80, "smart": True, "mev": False, "why": "y"}, T0)
    registry.put_labels(Chain.ETHEREUM, [(A, "Binance 14", "cex")])  # a second seed changes nothing
    found = registry.get_wallets(Chain.ETHEREUM, ["0x" + A[2:].upper(), B, C])  # any spelling
    by_label = {p.label: p for p in found.values()}
    assert by_label["Binance 14"].category == "cex" and by_label["Binance 14"].score == 12
    smart = [p for p in found.values() if p.smart]
    assert len(found) == 2 and len(smart) == 1 and smart[0].score == 80 and smart[0].label == ""
    assert registry.get_wallets(Chain.BSC, [A, B]) == {}  # per chain


def test_registry_records_replace_and_tracked_tokens_keep_their_state(registry: WalletRegistry) -> None:
    registry.put_records(Chain.ETHEREUM, TOKENS[0], {A: {"token": TOKENS[0], "buys": 1}})
    registry.put_records(Chain.ETHEREUM, TOKENS[0], {A: {"token": TOKENS[0], "buys": 2}})
    registry.put_records(Chain.ETHEREUM, TOKENS[1], {A: {"token": TOKENS[1], "buys": 1}})
    assert sorted(r["buys"] for r in registry.records_of(Chain.ETHEREUM, A)) == [1, 2]
    registry.track_token(Chain.ETHEREUM, TOKENS[0], T0)
    registry.mark_scanned(Chain.ETHEREUM, TOKENS[0], 99, T0)
    registry.track_token(Chain.ETHEREUM, TOKENS[0], datetime(2026, 2, 1, tzinfo=UTC))  # again: no reset
    [tracked] = registry.tracked_tokens()
    assert tracked.scanned_block == 99 and tracked.added_at == T0 and tracked.chain is Chain.ETHEREUM


def test_labels_reader_keeps_served_chains_and_wanted_categories(tmp_path: Path) -> None:
    folder = tmp_path / "wallet_labels"
    folder.mkdir()
    (folder / "address_labels_all_chains.csv").write_text(
        "chain,address,name,labels,kind,category\n"
        f"ethereum,{A},Binance 14,exchange;binance,account,cex\n"
        f"ethereum,{B},jaredfromsubway.eth,mev-bot,account,other\n"
        f"fantom,{C},Other chain,exchange,account,cex\n"
        f"bsc,{C},Some Token,fund,token,fund_or_market_maker\n"
        "ethereum,,Sum of 4 Accounts,exchange,account,cex\n"
    )
    labels = list(read_labels(tmp_path))
    assert [(lab.chain, lab.category) for lab in labels] == [
        (Chain.ETHEREUM, "cex"),
        (Chain.ETHEREUM, "mev_bot"),
    ]
