"""Builds the configured Store."""

from __future__ import annotations

from moneygrow.config import Settings
from moneygrow.store.base import Store


def store_from_settings(settings: Settings) -> Store:
    from moneygrow.store.dynamo import DynamoStore  # PynamoDB only where DynamoDB is used

    return DynamoStore(settings.table_name, settings.aws_region)
