"""One ML verdict from the models that apply to a token.

The liquidity model (measured on held-out pools: ROC-AUC ~0.99) speaks first when the pool has
enough history; the bytecode model (ROC-AUC ~0.8 on pre-0.6 code, nothing known beyond) only when
the liquidity model does not apply and the code is inside its training data. Their probabilities
are not multiplied together: no labelled set has both a pool's history and its code, so nothing
could calibrate a joint probability; the other model's answer is shown beside it. When neither
applies the verdict is "insufficient data" with both reasons, never a number.
"""

from __future__ import annotations

from typing import Any

from moneygrow.ml.serving import NoBasis, Score, Scored

INSUFFICIENT = "insufficient_data"


def _view(score: Score | None, missing: str) -> dict[str, Any]:
    if score is None:
        return {"applies": False, "reason": missing}
    if isinstance(score, NoBasis):
        return {"applies": False, "reason": score.reason}
    return {
        "applies": True,
        "probability": score.probability,
        "prediction": score.prediction,
        "threshold": score.threshold,
        "basis": score.basis,
        "model_version": score.model_version,
    }


def combine(liquidity: Score | None, bytecode: Score | None) -> dict[str, Any]:
    """The ML agent's data: the verdict's probability and basis, or "insufficient data"."""
    models = {
        "liquidity": _view(liquidity, "no liquidity model"),
        "bytecode": _view(bytecode, "no bytecode model"),
    }
    primary = next((s for s in (liquidity, bytecode) if isinstance(s, Scored)), None)
    if primary is None:
        reasons = [f"{kind}: {view['reason']}" for kind, view in models.items()]
        return {
            "verdict": INSUFFICIENT,
            "basis": "insufficient data - " + "; ".join(reasons),
            "models": models,
        }
    other = [v for k, v in models.items() if k != primary.kind]
    basis = primary.basis
    if other and other[0]["applies"]:
        basis += (
            f" (the {'bytecode' if primary.kind == 'liquidity' else 'liquidity'} model, shown beside it, "
        )
        basis += f"says {other[0]['probability']:.0%})"
    return {
        "verdict": primary.prediction,
        "scam_probability": primary.probability,
        "prediction": primary.prediction,
        "threshold": primary.threshold,
        "confidence": primary.confidence,
        "model_version": primary.model_version,
        "model_kind": primary.kind,
        "basis": basis,
        "top_features": primary.top_features,
        "models": models,
    }
