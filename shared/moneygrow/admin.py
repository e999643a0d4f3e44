"""Operator commands (run with AWS credentials and the stage's settings, e.g. MONEYGROW_TABLE_NAME and
MONEYGROW_USAGE_PLAN_IDS from the stack's outputs):

    uv run python -m moneygrow.admin set-tier --email a@example.com --tier pro \\
        --actor "alice@moneygrow" --reason "invoice 2026-118 paid"

Every change is an audit event (`tier_changed`: who, why, from, to) in the command's output and, as
for the API, a structured log line.
"""

from __future__ import annotations

import argparse
import sys

from moneygrow.adapters.apigateway import key_gateway_from_settings
from moneygrow.config import get_settings
from moneygrow.errors import AppError
from moneygrow.services.accounts import TIERS, change_tier
from moneygrow.store.factory import default_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    tier = sub.add_parser("set-tier", help="move a user (and their API keys) to another tier")
    tier.add_argument("--email", required=True)
    tier.add_argument("--tier", required=True, choices=TIERS)
    tier.add_argument("--actor", required=True, help="who is making the change")
    tier.add_argument("--reason", required=True, help="why (a ticket, an invoice)")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        user = change_tier(
            default_store(),
            key_gateway_from_settings(settings),
            args.email,
            args.tier,
            args.actor,
            args.reason,
        )
    except AppError as exc:
        print(f"set-tier: {exc.message}", file=sys.stderr)
        return 1
    print(f"{user.email}: tier {user.tier}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
