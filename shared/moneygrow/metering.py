"""Usage-plan keys at the edge: their names, shared by the authorizer, the key adapter and the CDK
app (which creates the fixed shard keys). No imports: infra/ reads it too."""

# Browser sessions and free API keys are metered by one of these fixed free-plan keys per stage.
FREE_SHARDS = 16


def shard_key_value(stage: str, shard: int) -> str:
    """The value of a fixed free-plan metering key (created by the CDK app)."""
    return f"moneygrow-{stage}-free-shard-{shard:02d}"


def key_meter_value(stage: str, key_id: str) -> str:
    """The value of a pro API key's own gateway key: an id, not a secret (clients never send it)."""
    return f"moneygrow-{stage}-key-{key_id}"
