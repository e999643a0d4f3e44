"""`make dev`: the whole product on this machine, with embedded defaults.

    uv run python -m devstack [--api-port 8000] [--moto-port 5000] [--anvil-port 8545]

1. anvil (local EVM chain) with the demo tokens and the tracked smart-money wallets;
2. moto server (DynamoDB, S3, Step Functions, Lambda, ...) provisioned from the CDK-synthesized
   template, its state machine running the real Lambda handlers in this process;
3. the ML model (trained from the labelled data directory when present, cached in .local/models)
   uploaded to the model bucket;
4. the API (uvicorn) on 127.0.0.1, with a ready-to-paste curl example. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devstack.aws import LocalAws, load_template, server_url, start_server, synth
from devstack.chain import start_anvil, write_smart_money_wallets
from devstack.zoo import deploy_world

ROOT = Path(__file__).resolve().parents[1]
MODEL_CACHE = ROOT / ".local" / "models"


def _jwt_secret(state: Path) -> str:
    """A generated local secret, kept across restarts so tokens stay valid (never in the code)."""
    path = state / "jwt_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _data_dir() -> Path | None:
    configured = os.environ.get("MONEYGROW_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    path = Path(configured)
    return path if (path / "token_bytecode" / "labels.csv").exists() else None


def _publish_model(bucket: str) -> str:
    """Train the bytecode model once (cached) and upload it to the local model bucket."""
    from moneygrow.ml.model_store import LocalDirModelStore, store_for_location
    from moneygrow.ml.training import MODEL_NAME, load_token_bytecode, train_bundle

    cache = LocalDirModelStore(MODEL_CACHE)
    bundle = cache.load(MODEL_NAME)
    if bundle is None:
        data = _data_dir()
        if data is None:
            return "no labelled data directory (MONEYGROW_DATA_DIR): the ML agent will report DEGRADED"
        print(f"training the ML model from {data} (once; cached in {MODEL_CACHE}) ...", flush=True)
        bundle = train_bundle(load_token_bytecode(data))
        cache.save(MODEL_NAME, bundle)
    store_for_location(f"s3://{bucket}").save(MODEL_NAME, bundle)
    return f"model {bundle['version']} published to s3://{bucket}"


def _banner(api: str, world: dict[str, Any], model_note: str) -> str:
    zoo = "\n".join(f"               {name:20} {address}" for name, address in world.get("zoo", {}).items())
    return f"""
MoneyGrow is running locally.
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
    with start_anvil(args.anvil_port) as anvil:
        world = deploy_world(anvil.url, state / "chain.json")
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
                }
            )
            with LocalAws(template, endpoint_url=endpoint) as aws:
                resources = aws.provision()
                os.environ.update(resources.env())
                yield world, _publish_model(resources.bucket_name)
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--anvil-port", type=int, default=8545)
    parser.add_argument("--state-dir", default=str(ROOT / ".local"), help="chain addresses, wallets, secret")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's per-request lines

    import uvicorn

    with local_stack(args) as (world, model_note):
        from moneygrow_api import create_app  # settings are read now, after the env is complete

        api = f"http://127.0.0.1:{args.api_port}"
        config = uvicorn.Config(create_app(), host="127.0.0.1", port=args.api_port, log_level="warning")
        server: Any = uvicorn.Server(config)
        print(_banner(api, world, model_note), flush=True)
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
