"""Builds the configured Store."""

from __future__ import annotations

from functools import lru_cache

from moneygrow.config import Settings, get_settings
from moneygrow.store.base import Store
from moneygrow.store.wallets import WalletRegistry
from moneygrow.store.watch import WatchStore


def store_from_settings(settings: Settings) -> Store:
    from moneygrow.store.dynamo import DynamoStore  # PynamoDB only where DynamoDB is used

    return DynamoStore(settings.table_name, settings.aws_region)


@lru_cache(maxsize=1)
def default_store() -> Store:
    """The process-wide store of a Lambda function (built at first use, kept while warm)."""
    return store_from_settings(get_settings())


def wallet_registry_from_settings(settings: Settings) -> WalletRegistry:
    """The wallet registry lives in the application table (store/wallets_dynamo.py)."""
    from moneygrow.store.wallets_dynamo import DynamoWalletRegistry

    return DynamoWalletRegistry(settings.table_name, settings.aws_region)


def watch_store_from_settings(settings: Settings) -> WatchStore:
    """The watchlist lives in the application table (store/watch_dynamo.py)."""
    from moneygrow.store.watch_dynamo import DynamoWatchStore

    return DynamoWatchStore(settings.table_name, settings.aws_region)


@lru_cache(maxsize=1)
def default_watch_store() -> WatchStore:
    return watch_store_from_settings(get_settings())
