"""`make dev`: the whole product on this machine, with embedded defaults.

    uv run python -m devstack [--api-port 8000] [--web-port 8080] [--moto-port 5000] [--anvil-port 8545]

1. anvil (local EVM chain) with the demo tokens and the tracked smart-money wallets;
2. moto server (DynamoDB, S3, Step Functions, Lambda, ...) provisioned from the CDK-synthesized
   template, its state machine running the real Lambda handlers in this process;
3. the ML models (trained from the labelled data directory when present, in a child process while
   1. and 2. start, cached in .local/models) uploaded to the model bucket (devstack/models.py);
4. the API (uvicorn) on 127.0.0.1, with a ready-to-paste curl example;
5. the web app (frontend/dist, built by `make install`) on 127.0.0.1:8080 (devstack/web.py).
Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devstack.aws import LocalAws, load_template, server_url, start_server, synth
from devstack.chain import start_anvil, write_smart_money_wallets
from devstack.market import fill_registry, play_market
from devstack.models import publish, training_in_background
from devstack.schedule import LocalSchedules, scheduled_rules
from devstack.zoo import deploy_world

ROOT = Path(__file__).resolve().parents[1]


def _jwt_secret(state: Path) -> str:
    """A generated local secret, kept across restarts so tokens stay valid (never in the code)."""
    path = state / "jwt_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _fill_registry(market: dict[str, Any]) -> str:
    """The registry as in the cloud: labels seeded, the market's tokens scored by the job."""
    from moneygrow.chain.reader import chain_reader_factory
    from moneygrow.config import Settings
    from moneygrow.store.wallets_dynamo import DynamoWalletRegistry

    settings = Settings()  # not get_settings(): the API reads (and caches) them once the env is complete
    registry = DynamoWalletRegistry(settings.table_name, settings.aws_region)
    data = os.environ.get("MONEYGROW_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    data_dir = data if Path(data).is_dir() else None
    return fill_registry(market, registry, chain_reader_factory(settings), data_dir)


def _banner(api: str, world: dict[str, Any], model_note: str, web: str | None = None) -> str:
    zoo = "\n".join(f"               {name:20} {address}" for name, address in world.get("zoo", {}).items())
    app = web or "not built: run `make install` (npm run build --prefix frontend), then restart"
    return f"""
MoneyGrow is running locally.
  web app      {app}
  API          {api}   (OpenAPI UI: {api}/docs)
  chain        {world["rpc_url"]} (anvil, chain id {world["chain_id"]})
  demo tokens  DemoToken {world["DemoToken"]}   (honest; pool {world.get("DemoTokenPair", "-")}, LP burnt)
               ScamToken {world["ScamToken"]}   (mint / blacklist / 25 % sell tax)
  token zoo    (launched on the local Uniswap V2 at its mainnet addresses; see devstack/zoo.py)
{zoo}
  ML           {model_note}

Try it:
  curl -s {api}/auth/register -H 'content-type: application/json' \\
    -d '{{"email":"me@example.com","password":"a long passphrase"}}'
  TOKEN=$(curl -s {api}/auth/token -H 'content-type: application/json' \\
    -d '{{"email":"me@example.com","password":"a long passphrase"}}' \\
    | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
  curl -s {api}/analyze -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{{"token_address":"{world["ScamToken"]}","chain":"ethereum"}}'
  curl -s {api}/analysis/history -H "authorization: Bearer $TOKEN"

Ctrl-C to stop.
"""


@contextlib.contextmanager
def local_stack(args: argparse.Namespace) -> Iterator[tuple[dict[str, Any], str]]:
    state = Path(args.state_dir).resolve()
    state.mkdir(parents=True, exist_ok=True)
    # The models the cache lacks train in a child process while the chain and moto start.
    with training_in_background() as training, start_anvil(args.anvil_port) as anvil:
        market = play_market(anvil.url)  # before the zoo (see devstack.market)
        world = deploy_world(anvil.url, state / "chain.json") | {"market": market}
        wallets = state / "smart_money.csv"
        write_smart_money_wallets(anvil.url, wallets)
        template = load_template(synth(ROOT / "cdk.out"))
        server = start_server(args.moto_port)
        try:
            endpoint = server_url(args.moto_port)
            os.environ.update(
                {
                    "AWS_ENDPOINT_URL": endpoint,  # botocore (boto3 and PynamoDB) sends every call to moto
                    "MONEYGROW_STAGE": "local",
                    "MONEYGROW_RPC_URLS": json.dumps(
                        {c: [anvil.url] for c in ("ethereum", "bsc", "polygon")}
                    ),
                    "MONEYGROW_JWT_SECRET": _jwt_secret(state),
                    "MONEYGROW_SMART_MONEY_WALLETS": str(wallets),
                    **_alert_env(args, endpoint),
                }
            )
            with LocalAws(template, endpoint_url=endpoint) as aws:
                resources = aws.provision()
                os.environ.update(resources.env())
                print("wallet registry:", _fill_registry(market), flush=True)
                rules = scheduled_rules(template, resources)
                rescans = {
                    r.logical_id: args.schedule_every
                    for r in rules
                    if r.event.get("kind") == "watchlist-rescan"
                }
                with LocalSchedules(rules, aws.bridge, rescans):
                    yield world, publish(resources.bucket_name, training)
        finally:
            server.stop()


def _alert_env(args: argparse.Namespace, moto_url: str) -> dict[str, str]:
    """Watchlists locally: a rescan every schedule cycle, webhooks on this machine, SNS from moto."""
    return {
        "MONEYGROW_RESCAN_EVERY_S": str(int(args.schedule_every)),
        "MONEYGROW_ALLOW_PRIVATE_WEBHOOKS": "true",
        "MONEYGROW_LOCAL_SNS_URL": moto_url,
        "MONEYGROW_PUBLIC_API_URL": f"http://127.0.0.1:{args.api_port}",
        "MONEYGROW_APP_URL": f"http://127.0.0.1:{args.web_port}" if args.web_port else "",
    }


def busy_ports(ports: dict[str, int]) -> dict[str, int]:
    """The ports (0 = not used) that another process is listening on or holding."""
    taken = {}
    for what, port in ports.items():
        if not port:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                taken[what] = port
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--web-port", type=int, default=8080, help="the web app; 0: do not serve it")
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--anvil-port", type=int, default=8545)
    parser.add_argument(
        "--schedule-every", type=float, default=60.0, help="seconds between watchlist rescan cycles"
    )
    parser.add_argument("--state-dir", default=str(ROOT / ".local"), help="chain addresses, wallets, secret")
    args = parser.parse_args(argv)
    taken = busy_ports(
        {"API": args.api_port, "web app": args.web_port, "moto": args.moto_port, "anvil": args.anvil_port}
    )
    if taken:  # say so at once, instead of a server that hangs on a port another process holds
        print(
            "make dev: "
            + ", ".join(f"port {port} ({what}) is in use" for what, port in taken.items())
            + ". Stop the other process (another `make dev`?) or pick ports: "
            "uv run python -m devstack --api-port N --web-port N --moto-port N --anvil-port N",
            file=sys.stderr,
        )
        return 2
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's per-request lines

    import uvicorn

    with local_stack(args) as (world, model_note):
        from devstack.web import start_web

        api = f"http://127.0.0.1:{args.api_port}"
        web = start_web(args.web_port, api) if args.web_port else None
        if web:  # the web app calls the API from its own origin (both spellings of the host)
            origins = [
                os.environ.get("MONEYGROW_CORS_ORIGINS", ""),
                web,
                web.replace("127.0.0.1", "localhost"),
            ]
            os.environ["MONEYGROW_CORS_ORIGINS"] = ",".join(o for o in origins if o)
        from moneygrow_api import create_app  # settings are read now, after the env is complete

        config = uvicorn.Config(create_app(), host="127.0.0.1", port=args.api_port, log_level="warning")
        server: Any = uvicorn.Server(config)
        print(_banner(api, world, model_note, web), flush=True)
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
