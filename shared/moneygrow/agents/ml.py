"""The ML agent: one calibrated P(scam) for a token with its basis, or "insufficient data".

Two models, each loaded from the store only after its manifest checks out (moneygrow.ml.artifact):
- the liquidity model (scam_liquidity): the pool's behaviour from its and the token's logs, read
  over RPC (moneygrow.ml.pool_logs), scored when the pool has at least a day of history;
- the bytecode model (scam_bytecode): the token's runtime code (a proxy's implementation), scored
  only when the code is inside its training data (compiler era with both classes, near a training
  token).
moneygrow.ml.combine turns them into one verdict. Never invents a number: without a model, with a
refused one, or when no model applies, there is no `scam_probability`; a missing or refused model
or a failed read is a gap (DEGRADED), a model that does not apply is an answer ("insufficient
data", OK).

confidence = how well the scoring model separated scams from legitimate tokens on held-out data of
this kind: 2 * ROC AUC - 1 (0 = no better than a coin, 1 = perfect).
"""

from __future__ import annotations

from typing import Any

from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.bytecode import (
    EIP1967_IMPLEMENTATION_SLOT,
    minimal_proxy_target,
    references_eip1967_slot,
)
from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import RpcError
from moneygrow.ml import pool_logs
from moneygrow.ml.artifact import ModelRefused
from moneygrow.ml.combine import combine
from moneygrow.ml.features import matched_privileged_signatures, read_metadata
from moneygrow.ml.liquidity import InsufficientHistory, compute_features
from moneygrow.ml.liquidity_model import MODEL_NAME as LIQUIDITY_MODEL
from moneygrow.ml.serving import NoBasis, Score, Scored, score_bytecode, score_liquidity
from moneygrow.ml.training import MODEL_NAME as BYTECODE_MODEL
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask, Finding, Severity

CAVEATS = [
    "liquidity model: trained on 2020-2021 Uniswap-V2 WETH pools; its probabilities reflect that data "
    "set's share of rug pulls (~90 %), so read them as a ranking against its threshold",
    "bytecode model: trained on Ethereum tokens compiled with solc < 0.6 only; it declines newer code",
]


def _finding(data: dict[str, Any], code: bytes | None) -> Finding | None:
    """A context finding (it never moves the verdict's level) when the verdict says scam."""
    if data.get("prediction") != "scam":
        return None
    p = float(data["scam_probability"])
    evidence: dict[str, Any] = {"model_version": data["model_version"], "basis": data["basis"]}
    if code is not None and data.get("model_kind") == "bytecode":
        evidence["privileged_functions"] = matched_privileged_signatures(code)
    return Finding(
        type="ml_scam_probability",
        score=round(p * 100),
        reason=f"The {data['model_kind']} model puts the probability of a scam at {p:.0%} ({data['basis']}).",
        severity=Severity.HIGH if p >= 0.8 else Severity.MEDIUM,
        evidence=evidence,
    )


def _implementation(reader: Any, address: str, code: bytes) -> str | None:
    """The logic contract behind an EIP-1167 clone or an EIP-1967 proxy (the code worth scoring)."""
    target = minimal_proxy_target(code)
    if target is None and references_eip1967_slot(code):
        raw: bytes = reader.get_storage_at(address, EIP1967_IMPLEMENTATION_SLOT)
        target = "0x" + raw[-20:].hex() if any(raw) else None
    return target


def _load(deps: AgentDeps, name: str, gaps: list[str]) -> dict[str, Any] | None:
    try:
        bundle: dict[str, Any] | None = deps.models.load(name)
    except ModelRefused as exc:
        gaps.append(str(exc))
        return None
    if bundle is None:
        gaps.append(f"no trained model in the model store ({name})")
    return bundle


def _liquidity(
    task: AnalysisTask, deps: AgentDeps, bundle: dict[str, Any], gaps: list[str]
) -> tuple[Score | None, dict[str, Any]]:
    network = NETWORKS[task.chain]
    try:
        fetched = pool_logs.fetch(
            deps.chain(task.chain),
            factory=network.dex.factory,
            token=task.token_address,
            quote=network.wrapped_native,
        )
    except (RpcError, ValueError, IndexError, KeyError) as exc:  # a refused range, a malformed log
        gaps.append(f"pool logs could not be read: {type(exc).__name__}: {exc}"[:300])
        return None, {}
    info: dict[str, Any] = {
        "pair": fetched.pair,
        "window_blocks": list(fetched.window_blocks),
        "rpc_requests": fetched.rpc_requests,
    }
    if fetched.history is None:
        return NoBasis("liquidity", str(fetched.reason)), info
    history = fetched.history
    info.update(mints=len(history.mints), burns=len(history.burns), swaps=len(history.swaps))
    info["history_days"] = round(history.history_seconds / 86400, 2)
    try:
        features = compute_features(history)
    except InsufficientHistory as exc:
        return NoBasis("liquidity", f"insufficient history: {exc}"), info
    info["features"] = features
    try:
        return score_liquidity(bundle, features, history.history_seconds), info
    except ModelRefused as exc:
        gaps.append(str(exc))
        return None, info


def analyse(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
    gaps: list[str] = []
    reader = deps.chain(task.chain)
    code: bytes = reader.get_code(task.token_address)
    if not code:
        return AgentResult(
            agent=AgentName.ML, status=AgentStatus.DEGRADED, gaps=["no contract code at the token address"]
        )
    implementation = _implementation(reader, task.token_address, code)
    if implementation is not None:
        code = reader.get_code(implementation)
        if not code:
            return AgentResult(
                agent=AgentName.ML,
                status=AgentStatus.DEGRADED,
                gaps=[f"proxy implementation {implementation} has no code"],
            )
    meta = read_metadata(code)
    compiler = {"solc_version": meta.solc_version, "era": meta.compiler_era, "epoch": meta.compiler_epoch}

    liquidity: Score | None = None
    pool: dict[str, Any] = {}
    liq_bundle = _load(deps, LIQUIDITY_MODEL, gaps)
    if liq_bundle is not None:
        liquidity, pool = _liquidity(task, deps, liq_bundle, gaps)

    bytecode: Score | None = None
    bc_bundle = _load(deps, BYTECODE_MODEL, gaps)
    if bc_bundle is not None:
        try:
            bytecode = score_bytecode(bc_bundle, code)
        except ModelRefused as exc:
            gaps.append(str(exc))

    data = combine(liquidity, bytecode)
    data.update(compiler=compiler, implementation=implementation, pool=pool, caveats=CAVEATS)
    if isinstance(bytecode, Scored) and data.get("model_kind") == "bytecode":
        data["features"] = {f["name"]: f["value"] for f in bytecode.top_features}
    finding = _finding(data, code) if "scam_probability" in data else None
    return AgentResult(
        agent=AgentName.ML,
        status=AgentStatus.DEGRADED if gaps else AgentStatus.OK,
        findings=[finding] if finding else [],
        gaps=gaps,
        data=data,
    )
