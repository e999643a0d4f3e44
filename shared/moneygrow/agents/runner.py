"""Runs one agent for one task: the single entry point the agent Lambdas (and tests) call."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from moneygrow.chains import Chain
from moneygrow.config import Settings, get_settings
from moneygrow.models import AgentName, AgentResult, AnalysisTask, utcnow
from moneygrow.observability import logger, tracer
from moneygrow.providers import Providers
from moneygrow.store.records import AgentProgress

if TYPE_CHECKING:
    from moneygrow.chain.reader import ChainReader
    from moneygrow.ml.model_store import ModelStore
    from moneygrow.store.wallets import WalletRegistry


# (task_id, agent, progress) -> False when there is no such analysis
RecordProgress = Callable[[str, str, AgentProgress], bool]


@dataclass(frozen=True)
class AgentDeps:
    """What an agent may use. Tests build their own (fake stores, a local chain)."""

    settings: Settings
    chain: Callable[[Chain], ChainReader]  # one reader per chain, cached across invocations
    models: ModelStore
    providers: Providers = field(default_factory=Providers)  # none configured: agents name the gaps
    wallets: WalletRegistry | None = None  # the wallet registry (smart money); None: not configured
    # Store.record_agent_progress: how the agent ended, on the analysis record while the workflow
    # runs (the API's live progress); None: not recorded
    progress: RecordProgress | None = None


class Agent(Protocol):
    def __call__(self, task: AnalysisTask, deps: AgentDeps) -> AgentResult: ...


# Imported lazily so the heuristic Lambda never loads scikit-learn, and so on.
_AGENT_MODULES: dict[AgentName, str] = {
    AgentName.HEURISTIC: "moneygrow.agents.heuristic",
    AgentName.ML: "moneygrow.agents.ml",
    AgentName.SMART_MONEY: "moneygrow.agents.smart_money",
}


def load_agent(name: AgentName) -> Agent:
    module = importlib.import_module(_AGENT_MODULES[name])
    agent: Agent = module.analyse
    return agent


@lru_cache(maxsize=1)
def default_deps() -> AgentDeps:
    from moneygrow.adapters.providers_factory import providers_from_settings
    from moneygrow.chain.reader import chain_reader_factory
    from moneygrow.ml.model_store import model_store_from_settings
    from moneygrow.store.factory import default_store, wallet_registry_from_settings

    settings = get_settings()
    return AgentDeps(
        settings=settings,
        chain=chain_reader_factory(settings),
        models=model_store_from_settings(settings),
        providers=providers_from_settings(settings),
        wallets=wallet_registry_from_settings(settings),
        progress=default_store().record_agent_progress,
    )


def run_agent(name: AgentName, event: dict[str, Any], deps: AgentDeps | None = None) -> dict[str, Any]:
    """Validate the task, run the agent, stamp its wall time. Infrastructure errors propagate
    on purpose: the workflow's Retry/Catch turn them into a retried or degraded result."""
    task = AnalysisTask.model_validate(event)
    logger.append_keys(task_id=task.task_id, agent=name.value)
    try:
        deps = deps or default_deps()
        started = time.perf_counter()
        with tracer.provider.in_subsegment(f"agent.{name.value}"):
            result = load_agent(name)(task, deps)
        result.duration_ms = int((time.perf_counter() - started) * 1000)
        logger.info("agent finished", extra={"status": result.status, "duration_ms": result.duration_ms})
        record_progress(deps, task, name, result)
        return result.model_dump(mode="json")
    finally:
        # The logger outlives the invocation (and is shared with the API in the dev stack's process).
        logger.remove_keys(["task_id", "agent"])


def record_progress(deps: AgentDeps, task: AnalysisTask, name: AgentName, result: AgentResult) -> None:
    """Say on the analysis how this agent ended, for the progress view. Best effort: the result
    goes to the workflow whatever happens here (an agent that raised records nothing; the
    aggregate's final `agents` list is the source of truth)."""
    if deps.progress is None:
        return
    progress = AgentProgress(status=result.status, duration_ms=result.duration_ms, finished_at=utcnow())
    try:
        if not deps.progress(task.task_id, name.value, progress):
            logger.warning("progress not recorded: the analysis does not exist")
    except Exception:
        logger.warning("could not record the agent's progress", exc_info=True)


def lambda_handler_for(name: AgentName) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of one agent (each agent is its own function)."""

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return run_agent(name, event)

    return handler
