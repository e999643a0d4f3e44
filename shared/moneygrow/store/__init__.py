"""Data access behind a small interface: logic depends on `Store`, never on boto3/PynamoDB."""

from moneygrow.store.base import ActiveTaskExists, Page, Store

__all__ = ["ActiveTaskExists", "Page", "Store"]
