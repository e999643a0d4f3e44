"""Heuristic agent: what the token's code lets its owner do, read straight from the chain.

The work is split into independent checks (moneygrow.heuristics.*, listed in CHECK_MODULES) that
share one context: the token's code, metadata, owner and every check's independent reads arrive in a
single JSON-RPC batch, then each check batches whatever depends on those answers. This module runs
the checks, merges their findings, data and gaps, and marks the result DEGRADED when a check could
not do its job.
"""

from __future__ import annotations

import importlib
from typing import Any

from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.networks import network
from moneygrow.heuristics.registry import CHECKS, Check, HeuristicContext, run_checks
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask

# Importing a module registers its checks; the order here is the order they run in.
CHECK_MODULES = (
    "moneygrow.heuristics.contract",
    "moneygrow.heuristics.proxy",
    "moneygrow.heuristics.owner",
    "moneygrow.heuristics.liquidity",
    "moneygrow.heuristics.holders",
    "moneygrow.heuristics.trading",
    "moneygrow.heuristics.second_opinion",
)


def checks() -> list[Check]:
    for module in CHECK_MODULES:
        importlib.import_module(module)
    # CHECKS fills in import order, which a test or another agent may change: sort by CHECK_MODULES
    # (stable: registration order within a module; checks from elsewhere last).
    rank = {module: i for i, module in enumerate(CHECK_MODULES)}
    return sorted(CHECKS.values(), key=lambda check: rank.get(check.run.__module__, len(rank)))


def analyse(task: AnalysisTask, deps: AgentDeps, *, only: list[Check] | None = None) -> AgentResult:
    """Run every registered check (or `only` these: unit tests of the static checks use a fake
    chain that cannot execute the trade simulation)."""
    from moneygrow.heuristics.contract import not_a_contract

    registered = checks() if only is None else only
    ctx = HeuristicContext(task, deps.chain(task.chain), network(task.chain), deps.providers)
    ctx.prefetch(registered)
    if not ctx.code:
        return AgentResult(
            agent=AgentName.HEURISTIC,
            status=AgentStatus.OK,
            findings=[not_a_contract(ctx)],
            data={
                "address": task.token_address,
                "is_contract": False,
                "code_size": 0,
                "block_number": ctx.block_number,
            },
        )

    findings, data, gaps, unconfigured = [], {}, [], []
    checks_data: dict[str, Any] = {}
    for name, outcome in run_checks(ctx, registered):
        findings.extend(outcome.findings)
        data.update(outcome.data)
        gaps.extend(outcome.gaps)
        unconfigured.extend(outcome.unconfigured)
        checks_data[name] = "failed" if outcome.gaps and not outcome.data else "ok"
    findings.sort(key=lambda f: -f.score)
    data["checks"] = checks_data
    return AgentResult(
        agent=AgentName.HEURISTIC,
        status=AgentStatus.DEGRADED if gaps else AgentStatus.OK,
        findings=findings,
        data=data,
        gaps=[*gaps, *unconfigured],
    )
