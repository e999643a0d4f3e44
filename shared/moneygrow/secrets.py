"""The JWT signing secret: from configuration locally, from SSM / Secrets Manager in the cloud."""

from __future__ import annotations

from moneygrow.config import Settings


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.jwt_secret_parameter:
        raise RuntimeError(
            "no JWT secret configured (MONEYGROW_JWT_SECRET or MONEYGROW_JWT_SECRET_PARAMETER)"
        )
    # Powertools caches the value (5 min by default), so a cold start pays for it once.
    from aws_lambda_powertools.utilities import parameters

    name = settings.jwt_secret_parameter
    if name.startswith("arn:aws:secretsmanager:"):
        return str(parameters.get_secret(name))
    return str(parameters.get_parameter(name, decrypt=True))
