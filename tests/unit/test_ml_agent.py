"""The ML agent with a fake chain reader and a local model store holding a synthetic model."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from moneygrow.agents.ml import analyse
from moneygrow.agents.runner import AgentDeps
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.ml.features import selector
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
    def __init__(self, code: bytes, others: dict[str, bytes] | None = None) -> None:
        self.code = code
        self.others = others or {}
        self.calls: list[str] = []

    def get_code(self, address: str) -> bytes:
        self.calls.append(address)
        return self.others.get(address, self.code)


@pytest.fixture(scope="module")
def bundle() -> ModelBundle:
    return train_bundle(synthetic_rows())


@pytest.fixture
def store(tmp_path: Path, bundle: ModelBundle) -> LocalDirModelStore:
    s = LocalDirModelStore(tmp_path)
    s.save(MODEL_NAME, bundle)
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
    assert ("held-out ROC AUC" if auc is not None else "unknown") in result.data["confidence_basis"]
    assert result.data["model_version"]
    assert set(result.data["features"]) <= set(load_names(store))
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
    assert result.gaps == ["no trained model in the model store"]
    assert "scam_probability" not in result.data and "prediction" not in result.data
    assert result.findings == []


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
    assert "feature_from_the_future" in result.gaps[0]


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
