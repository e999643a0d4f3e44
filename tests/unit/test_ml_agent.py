"""The ML agent with a fake chain reader and a local model store holding a synthetic model."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from moneygrow.agents.ml import analyse
from moneygrow.agents.runner import AgentDeps
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.ml import liquidity_model
from moneygrow.ml.features import selector
from moneygrow.ml.liquidity import DATASET_FEATURES
from moneygrow.ml.liquidity_model import LiquidityData
from moneygrow.ml.model_store import LocalDirModelStore
from moneygrow.ml.training import MODEL_NAME, ModelBundle, TrainingRow, train_bundle
from moneygrow.models import AgentName, AgentStatus, AnalysisTask, Severity

ERC20 = ["totalSupply()", "balanceOf(address)", "transfer(address,uint256)", "approve(address,uint256)"]
SCAMMY = ["mint(address,uint256)", "addBlackList(address)", "setTaxFee(uint256)", "openTrading()"]
CALLER, SSTORE, CALL, JUMPDEST = b"\x33", b"\x55", b"\xf1", b"\x5b"


def _code(signatures: list[str], body_ops: bytes, filler: int) -> bytes:
    out = b"\x60\x80\x60\x40\x52"
    for sig in signatures:
        out += b"\x80\x63" + selector(sig).to_bytes(4, "big") + b"\x14\x61\x01\x00\x57"
    return out + JUMPDEST + body_ops + bytes(filler)


def synthetic_rows(n: int = 80, seed: int = 1) -> list[TrainingRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        sigs = list(ERC20)
        if label or rng.random() < 0.1:  # some label noise so the calibration has work to do
            sigs += rng.sample(SCAMMY, k=rng.randint(1, 3))
        ops = (CALL * rng.randint(2, 6) if label else CALL * rng.randint(0, 2)) + CALLER + SSTORE
        rows.append(TrainingRow(_code(sigs, ops, rng.randint(200, 600)), label, f"0x{i:040x}"))
    return rows


SCAM_CODE = _code([*ERC20, *SCAMMY], CALL * 5 + CALLER + SSTORE, 300)
LEGIT_CODE = _code(ERC20, CALLER + SSTORE, 300)


class FakeReader:
    """get_code for the bytecode path; JSON-RPC batches for the pool: the factory has no pair for the
    token unless `batches` (recorded node answers) are given."""

    def __init__(
        self, code: bytes, others: dict[str, bytes] | None = None, batches: list[Any] | None = None
    ) -> None:
        self.code = code
        self.others = others or {}
        self.calls: list[str] = []
        self.batches = list(batches or [])

    def get_code(self, address: str) -> bytes:
        self.calls.append(address)
        return self.others.get(address, self.code)

    def _batch(self, batch: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        if self.batches:
            responses: list[dict[str, Any]] = self.batches.pop(0)["response"]
            return responses
        no_pair = {"result": "0x" + "00" * 32}
        header = {"result": {"number": "0x10", "timestamp": "0x6000000"}}
        return [no_pair, {"result": "0x" + "00" * 31 + "64"}, header][: len(batch)]


def synthetic_liquidity(n: int = 400, seed: int = 2) -> LiquidityData:
    """Pools whose label follows the creator's LP share and the sell pressure, with noise."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, len(DATASET_FEATURES)))
    holding = x[:, DATASET_FEATURES.index("lp_creator_holding_ratio")]
    sells = x[:, DATASET_FEATURES.index("swap_out_per_week")]
    y = ((holding + sells + rng.normal(0, 0.3, n)) > 1.0).astype(int)
    groups = [f"creator{i % 150}" for i in range(n)]
    return LiquidityData(x, y, [f"0x{i:040x}" for i in range(n)], groups, [""] * n, {"synthetic": "-"})


@pytest.fixture(scope="module")
def bundle() -> ModelBundle:
    return train_bundle(synthetic_rows())


@pytest.fixture(scope="module")
def liquidity_bundle() -> dict[str, Any]:
    return liquidity_model.train_bundle(synthetic_liquidity())


@pytest.fixture
def store(tmp_path: Path, bundle: ModelBundle, liquidity_bundle: dict[str, Any]) -> LocalDirModelStore:
    s = LocalDirModelStore(tmp_path)
    s.save(MODEL_NAME, bundle)
    s.save(liquidity_model.MODEL_NAME, liquidity_bundle)
    return s


def _task() -> AnalysisTask:
    return AnalysisTask(task_id="t1", user_id="u1", token_address="0x" + "ab" * 20, chain=Chain.ETHEREUM)


def _deps(code: bytes, store: Any, reader: FakeReader | None = None) -> AgentDeps:
    reader = reader or FakeReader(code)
    return AgentDeps(settings=Settings(), chain=lambda chain: reader, models=store)


def test_bundle_format(bundle: ModelBundle) -> None:
    assert set(bundle) >= {"model", "feature_names", "version", "metrics", "trained_at"}
    assert bundle["metrics"]["roc_auc"] is not None
    assert 0.0 <= bundle["metrics"]["brier"] <= 1.0


@pytest.mark.parametrize("code", [SCAM_CODE, LEGIT_CODE])
def test_prediction_is_a_probability_consistent_with_threshold(
    code: bytes, store: LocalDirModelStore
) -> None:
    result = analyse(_task(), _deps(code, store))
    assert result.agent is AgentName.ML
    assert result.status is AgentStatus.OK
    assert result.gaps == []
    p = result.data["scam_probability"]
    assert 0.0 <= p <= 1.0
    assert result.data["prediction"] == ("scam" if p >= result.data["threshold"] else "legit")
    # confidence is the model's held-out separation on this compiler era, never max(p, 1 - p)
    era = result.data["compiler"]["era"]
    held = json.loads(json.dumps(store.load(MODEL_NAME)["metrics"]))["by_compiler_era"].get(era, {})
    auc = held.get("roc_auc")
    expected = 0.0 if auc is None else max(0.0, 2 * auc - 1)
    assert result.data["confidence"] == pytest.approx(expected, abs=1e-3)
    assert result.data["model_kind"] == "bytecode"
    assert f"held-out ROC-AUC {auc:.3f}" in result.data["basis"]
    # no pool: the liquidity model says why it does not apply, beside the bytecode model's answer
    assert "no pool" in result.data["models"]["liquidity"]["reason"]
    assert result.data["model_version"]
    assert set(result.data["features"]) <= set(load_names(store))
    top = result.data["top_features"]
    assert top and {t["name"] for t in top} <= set(load_names(store))
    assert all(abs(t["contribution"]) > 0 for t in top)
    severities = [f.severity for f in result.findings]
    if p >= 0.8:
        assert severities == [Severity.HIGH]
    elif p >= 0.5:
        assert severities == [Severity.MEDIUM]
    else:
        assert severities == []


def load_names(store: LocalDirModelStore) -> list[str]:
    loaded = store.load(MODEL_NAME)
    assert loaded is not None
    return list(loaded["feature_names"])


def test_scammy_code_scores_above_plain_erc20(store: LocalDirModelStore) -> None:
    scam = analyse(_task(), _deps(SCAM_CODE, store)).data["scam_probability"]
    legit = analyse(_task(), _deps(LEGIT_CODE, store)).data["scam_probability"]
    assert scam > 0.5 > legit


def test_high_finding_names_privileged_functions(store: LocalDirModelStore) -> None:
    result = analyse(_task(), _deps(SCAM_CODE, store))
    assert result.findings, result.data
    finding = result.findings[0]
    assert finding.type == "ml_scam_probability"
    assert finding.score == round(result.data["scam_probability"] * 100)
    assert "mint" in finding.evidence["privileged_functions"]


def test_no_model_is_degraded_without_a_prediction(tmp_path: Path) -> None:
    result = analyse(_task(), _deps(SCAM_CODE, LocalDirModelStore(tmp_path)))
    assert result.status is AgentStatus.DEGRADED
    assert result.gaps == [
        "no trained model in the model store (scam_liquidity)",
        "no trained model in the model store (scam_bytecode)",
    ]
    assert "scam_probability" not in result.data and "prediction" not in result.data
    assert result.data["verdict"] == "insufficient_data"
    assert result.findings == []


def test_modern_code_without_a_pool_is_insufficient_data_not_a_number(store: LocalDirModelStore) -> None:
    # solc 0.8.19's CBOR metadata: the bytecode model has no training code of that era
    cbor = bytes.fromhex("a2646970667358221220") + bytes(32) + bytes.fromhex("64736f6c6343000813")
    modern = SCAM_CODE + cbor + len(cbor).to_bytes(2, "big")
    result = analyse(_task(), _deps(modern, store))
    assert result.status is AgentStatus.OK and result.gaps == []
    assert result.data["compiler"]["era"] == ">=0.6"
    assert "scam_probability" not in result.data and result.findings == []
    assert result.data["verdict"] == "insufficient_data"
    assert "no basis: code of compiler era >=0.6 has 0 scam and 0 legit" in result.data["basis"]
    assert "no pool" in result.data["basis"]


def test_code_unlike_any_training_token_has_no_basis(store: LocalDirModelStore) -> None:
    odd = _code([*ERC20, *SCAMMY], CALL * 400 + b"\xff" * 300 + CALLER * 200, 50)
    result = analyse(_task(), _deps(odd, store))
    assert "scam_probability" not in result.data
    assert "farther from every training token" in result.data["models"]["bytecode"]["reason"]


def test_a_pool_a_few_hours_old_is_insufficient_history(store: LocalDirModelStore) -> None:
    # the node's recorded answers for a pool three hours old (tests/integration/test_pool_features.py)
    rec = json.loads((Path(__file__).with_name("pool_logs_recorded.json")).read_text())
    reader = FakeReader(LEGIT_CODE, batches=rec["calls"])
    task = _task().model_copy(update={"token_address": rec["token"]})
    result = analyse(task, _deps(LEGIT_CODE, store, reader))
    liquidity = result.data["models"]["liquidity"]
    assert not liquidity["applies"] and "insufficient history: the pool is 3.0 h old" in liquidity["reason"]
    assert result.data["pool"]["swaps"] == 2 and result.data["pool"]["history_days"] > 0
    assert result.data["model_kind"] == "bytecode"  # the other model still answers, with its basis


def test_tampered_model_is_refused_and_named(tmp_path: Path, bundle: ModelBundle) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save(MODEL_NAME, bundle)
    artifact = tmp_path / "models" / f"{MODEL_NAME}.joblib"
    artifact.write_bytes(artifact.read_bytes()[:-1] + b"\x00")
    result = analyse(_task(), _deps(SCAM_CODE, store))
    assert result.status is AgentStatus.DEGRADED
    assert any("sha256" in g and "tampered" in g for g in result.gaps)
    assert "scam_probability" not in result.data


def test_empty_code_is_degraded(store: LocalDirModelStore) -> None:
    result = analyse(_task(), _deps(b"", store))
    assert result.status is AgentStatus.DEGRADED
    assert result.gaps and "no contract code" in result.gaps[0]
    assert "scam_probability" not in result.data


def test_model_expecting_unknown_features_is_degraded(tmp_path: Path, bundle: ModelBundle) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save(MODEL_NAME, {**bundle, "feature_names": [*bundle["feature_names"], "feature_from_the_future"]})
    result = analyse(_task(), _deps(SCAM_CODE, store))
    assert result.status is AgentStatus.DEGRADED
    assert any("feature schema mismatch" in g and "feature_from_the_future" in g for g in result.gaps)


def test_result_is_json_serialisable(store: LocalDirModelStore) -> None:
    dumped = analyse(_task(), _deps(SCAM_CODE, store)).model_dump(mode="json")
    assert dumped["agent"] == "ml"


def test_minimal_proxy_is_scored_by_its_implementation(store: LocalDirModelStore) -> None:
    impl = "0x" + "cd" * 20
    clone = (
        bytes.fromhex("363d3d373d3d3d363d73")
        + bytes.fromhex(impl[2:])
        + bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
    )
    reader = FakeReader(clone, {impl: SCAM_CODE})
    result = analyse(_task(), _deps(clone, store, reader))
    assert reader.calls == [_task().token_address, impl]
    assert result.status is AgentStatus.OK
    assert result.data["implementation"] == impl
    direct = analyse(_task(), _deps(SCAM_CODE, store))
    assert result.data["scam_probability"] == pytest.approx(direct.data["scam_probability"])


def test_batch_scoring_of_a_bytecode_directory(store: LocalDirModelStore, tmp_path: Path) -> None:
    from ml import score

    cbor = bytes.fromhex("a2646970667358221220") + bytes(32) + bytes.fromhex("64736f6c6343000813")
    hexes = tmp_path / "hex"
    hexes.mkdir()
    (hexes / "0xaa.hex").write_text("0x" + SCAM_CODE.hex())
    (hexes / "0xbb.hex").write_text("0x" + LEGIT_CODE.hex())
    (hexes / "0xcc.hex").write_text("0x" + (SCAM_CODE + cbor + len(cbor).to_bytes(2, "big")).hex())
    (hexes / "0xdd.hex").write_text("not hex")
    out = tmp_path / "scores.csv"
    argv = ["--model", "bytecode", "--input", str(hexes), "--output", str(out), "--models", str(store.path)]
    assert score.main(argv) == 0
    rows = {r["id"]: r for r in csv.DictReader(out.open())}
    direct = analyse(_task(), _deps(SCAM_CODE, store)).data["scam_probability"]
    assert float(rows["0xaa"]["probability"]) == pytest.approx(
        direct, abs=1e-6
    )  # the artifact the agent serves
    assert rows["0xaa"]["prediction"] == "scam" and rows["0xbb"]["prediction"] == "legit"
    assert rows["0xcc"]["probability"] == "" and rows["0xcc"]["prediction"].startswith(
        "no basis: code of compiler era >=0.6"
    )
    assert rows["0xdd"] == {"id": "0xdd", "probability": "", "prediction": "missing: the file is not hex"}


def test_served_probabilities_are_the_calibrated_models(liquidity_bundle: dict[str, Any]) -> None:
    from moneygrow.ml.serving import probabilities

    rows = synthetic_liquidity(50, seed=9).columns(liquidity_bundle["feature_names"])
    expected = liquidity_bundle["model"].predict_proba(rows)[:, 1]
    assert probabilities(liquidity_bundle, rows) == pytest.approx(expected, abs=1e-12)


def test_a_node_refusing_the_log_range_is_a_named_gap(store: LocalDirModelStore) -> None:
    rec = json.loads((Path(__file__).with_name("pool_logs_recorded.json")).read_text())
    calls = [
        rec["calls"][0],
        {"response": [{"error": {"code": -32005, "message": "query exceeds 10000 results"}}]},
    ]
    reader = FakeReader(LEGIT_CODE, batches=calls)
    task = _task().model_copy(update={"token_address": rec["token"]})
    result = analyse(task, _deps(LEGIT_CODE, store, reader))
    assert result.status is AgentStatus.DEGRADED
    assert any(g.startswith("pool logs could not be read: RpcError") and "10000" in g for g in result.gaps)
    assert result.data["model_kind"] == "bytecode"  # the bytecode model still answers with its basis


def test_a_bytecode_model_without_its_domain_is_refused(tmp_path: Path, bundle: ModelBundle) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save(MODEL_NAME, {k: v for k, v in bundle.items() if k != "domain"})
    result = analyse(_task(), _deps(SCAM_CODE, store))
    assert result.status is AgentStatus.DEGRADED
    assert any("no record of its training data's domain" in g for g in result.gaps)
    assert "scam_probability" not in result.data
