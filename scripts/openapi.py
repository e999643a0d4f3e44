"""The API's OpenAPI document, from the FastAPI app itself (the web app's types are generated from it).

    uv run --frozen python scripts/openapi.py            # print it
    uv run --frozen python scripts/openapi.py OUT.json   # write it (what `make api-types` does)

The app is built with in-memory dependencies: the document depends only on the routes and schemas.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "shared", ROOT / "functions" / "api"):  # also without the Makefile's PYTHONPATH
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from moneygrow.auth.tokens import TokenIssuer  # noqa: E402
from moneygrow.config import Settings  # noqa: E402
from moneygrow.models import AnalysisTask  # noqa: E402
from moneygrow.store.memory import MemoryStore  # noqa: E402
from moneygrow.workflow import ExecutionState  # noqa: E402


class _NoWorkflow:
    def start(self, task: AnalysisTask) -> None:
        raise NotImplementedError

    def state(self, task_id: str) -> ExecutionState:
        return ExecutionState.UNKNOWN

    def ping(self) -> None:
        return None


def openapi_document() -> dict[str, Any]:
    from moneygrow_api import ApiDeps, create_app

    settings = Settings(jwt_secret="openapi-" + "x" * 40)  # nosec B106: never signs anything
    issuer = TokenIssuer(settings.jwt_secret, settings.access_token_ttl_s, settings.refresh_token_ttl_s)
    deps = ApiDeps(settings=settings, store=MemoryStore(), workflow=_NoWorkflow(), issuer=issuer)
    document: dict[str, Any] = create_app(deps).openapi()
    return document


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv:
        Path(argv[0]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
