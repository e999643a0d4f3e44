"""The HTTP adapter: FastAPI routes over the moneygrow services."""

from moneygrow_api.app import ApiDeps, create_app

__all__ = ["ApiDeps", "create_app"]
