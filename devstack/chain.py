"""The local chain for development and tests: anvil from npm, the demo tokens, the smart-money list.

    uv run python -m devstack.chain --port 8545 --out .local/chain.json --wallets .local/smart_money.csv

starts anvil, deploys DemoToken and ScamToken, distributes them, places the real Uniswap V2 contracts
at every network's canonical addresses (devstack/dex.py) and launches the token zoo
(devstack/zoo.py), writes all addresses and the smart-money CSV, and keeps running until Ctrl-C.
(`--demo-only` skips the DEX and the zoo.) Everything is deterministic: same mnemonic, same
genesis timestamp, fixed block interval and a fixed deployment order give the same addresses, blocks
and balances on every run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import ctypes
import json
import os
import signal
import socket
import subprocess  # nosec B404
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
import rlp
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import HTTPProvider, Web3
from web3.contract import Contract

REPO = Path(__file__).resolve().parents[1]
CONTRACTS = REPO / "contracts"
# The npm-installed anvil; MONEYGROW_ANVIL_BIN points elsewhere (e.g. a foundryup install) if needed.
ANVIL_BIN = Path(
    os.environ.get("MONEYGROW_ANVIL_BIN")
    or CONTRACTS / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
)
ARTIFACTS = CONTRACTS / "artifacts"

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
GENESIS_TIMESTAMP = 1_700_000_000  # 2023-11-14T22:13:20Z
BLOCK_INTERVAL_S = 12
CHAIN_ID = 31337
E18 = 10**18

# Who gets what. Accounts are anvil's default ones by index (0 = deployer).
DEMO_SUPPLY = 1_000_000 * E18
SCAM_SUPPLY = 1_000_000_000 * E18
WHALES = {1: "whale-alpha", 2: "whale-beta", 3: "fund-gamma"}  # the tracked "smart money"
DEMO_DISTRIBUTION = {1: 120_000 * E18, 2: 80_000 * E18, 3: 50_000 * E18, 4: 1_500 * E18, 5: 700 * E18}
SCAM_DISTRIBUTION = {6: 20_000_000 * E18, 7: 15_000_000 * E18, 8: 5_000_000 * E18, 9: 2_500_000 * E18}
SCAM_SELL_TAX_BPS = 2_500  # 25 % on sells
SCAM_BLACKLISTED = 8  # a holder who can no longer move his tokens


class AnvilNotInstalled(RuntimeError):
    pass


class AnvilProcess:
    """A running anvil. Use as a context manager, or call .stop()."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path

    def __enter__(self) -> AnvilProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            self.log_path.unlink()


def anvil_binary() -> Path:
    if not ANVIL_BIN.is_file() or not os.access(ANVIL_BIN, os.X_OK):
        raise AnvilNotInstalled(
            f"anvil not found at {ANVIL_BIN}. Install the contracts' npm packages first: "
            "`npm ci --prefix contracts`"
        )
    return ANVIL_BIN


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 2.0) -> Any:
    r = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}, timeout=timeout
    )
    r.raise_for_status()
    body = r.json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM anvil when the Python process that started it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_anvil(port: int = 8545, startup_timeout_s: float = 20.0) -> AnvilProcess:
    """Start anvil on 127.0.0.1:`port` with deterministic settings; return once JSON-RPC answers."""
    binary = anvil_binary()
    log_fd, log_name = tempfile.mkstemp(prefix=f"anvil-{port}-", suffix=".log")
    cmd = [
        str(binary),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--mnemonic", DEFAULT_MNEMONIC,
        "--accounts", "10",
        "--balance", "10000",
        "--chain-id", str(CHAIN_ID),
        "--timestamp", str(GENESIS_TIMESTAMP),
        "--hardfork", "cancun",
        "--quiet",
    ]  # fmt: skip
    with os.fdopen(log_fd, "wb") as log:
        proc = subprocess.Popen(  # nosec B603
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
    anvil = AnvilProcess(proc, port, Path(log_name))
    deadline = time.monotonic() + startup_timeout_s
    while True:
        if not anvil.running:
            out = anvil.log()
            anvil.stop()
            raise RuntimeError(f"anvil exited with code {proc.returncode} on port {port}: {out.strip()}")
        try:
            _rpc(anvil.url, "eth_chainId", timeout=1.0)
            break
        except (requests.RequestException, RuntimeError):
            if time.monotonic() > deadline:
                anvil.stop()
                raise TimeoutError(
                    f"anvil did not answer on {anvil.url} within {startup_timeout_s}s"
                ) from None
            time.sleep(0.1)
    # Every new block is exactly BLOCK_INTERVAL_S after the previous one (no wall-clock drift).
    _rpc(anvil.url, "anvil_setBlockTimestampInterval", [BLOCK_INTERVAL_S])
    return anvil


# --- demo world ------------------------------------------------------------------------------------


def load_artifact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTIFACTS / f"{name}.json").read_text())
    return data


def _web3(rpc_url: str) -> Web3:
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))


def _transact(w3: Web3, fn: Any, sender: str) -> None:
    tx_hash = fn.transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.05)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction {tx_hash.hex()} reverted")


def _deploy(w3: Web3, name: str, args: list[Any], sender: str) -> str:
    """Deploy, or reuse the contract already at the deterministic address (anvil kept running)."""
    art = load_artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    tx_hash = factory.constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.05)
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise RuntimeError(f"deploying {name} failed")
    return to_checksum_address(receipt["contractAddress"])


def _token(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=to_checksum_address(address), abi=load_artifact(name)["abi"])


def accounts(rpc_url: str) -> list[str]:
    return [to_checksum_address(a) for a in _rpc(rpc_url, "eth_accounts")]


def _existing_world(w3: Web3, deployer: str) -> dict[str, str] | None:
    """The addresses of an earlier deploy_demo_tokens on this chain, if it ran (nonces 0 and 1)."""
    found: dict[str, str] = {}
    for nonce, name in enumerate(("DemoToken", "ScamToken")):
        addr = to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:])
        code = bytes(w3.eth.get_code(addr))
        if code != bytes.fromhex(load_artifact(name)["deployedBytecode"][2:]):
            return None
        found[name] = addr
    return found


def deploy_demo_tokens(rpc_url: str, out_path: str | Path | None = None) -> dict[str, str]:
    """Deploy DemoToken (honest) and ScamToken (red flags) from anvil account 0 and distribute them.

    DemoToken goes to the tracked whales (accounts 1-3) and two small holders (4-5). ScamToken stays
    95.75 % with the deployer, the rest with retail accounts 6-9; a 25 % sell tax is switched on and
    account 8 is blacklisted. Returns {"DemoToken": addr, "ScamToken": addr, "deployer": addr,
    "chain_id": ...} and writes it as JSON to `out_path` when given. Idempotent on one chain.
    """
    w3 = _web3(rpc_url)
    accts = accounts(rpc_url)
    deployer = accts[0]
    world = _existing_world(w3, deployer)
    if world is None:
        if w3.eth.get_transaction_count(to_checksum_address(deployer)) != 0:
            raise RuntimeError(
                "the deployer account has already sent transactions on this chain; "
                "deploy the demo tokens on a fresh anvil for deterministic addresses"
            )
        demo = _deploy(w3, "DemoToken", ["Demo Token", "DEMO", DEMO_SUPPLY], deployer)
        scam = _deploy(w3, "ScamToken", ["Moon Rocket", "MOON", SCAM_SUPPLY], deployer)
        demo_c, scam_c = _token(w3, "DemoToken", demo), _token(w3, "ScamToken", scam)
        for idx, amount in DEMO_DISTRIBUTION.items():
            _transact(w3, demo_c.functions.transfer(accts[idx], amount), deployer)
        for idx, amount in SCAM_DISTRIBUTION.items():
            _transact(w3, scam_c.functions.transfer(accts[idx], amount), deployer)
        # The "DEX pair" is a stand-in address; sells to it pay the tax.
        pair = to_checksum_address("0x" + "00" * 19 + "99")
        _transact(w3, scam_c.functions.setPair(pair), deployer)
        _transact(w3, scam_c.functions.setSellTax(SCAM_SELL_TAX_BPS), deployer)
        _transact(w3, scam_c.functions.blacklist(accts[SCAM_BLACKLISTED]), deployer)
        world = {"DemoToken": demo, "ScamToken": scam}
    result: dict[str, Any] = {**world, "deployer": deployer, "chain_id": CHAIN_ID, "rpc_url": rpc_url}
    if out_path is not None:
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
    return {k: str(v) for k, v in result.items()}


def write_smart_money_wallets(rpc_url: str, path: str | Path, chain: str = "") -> list[str]:
    """Write the CSV the smart-money agent reads (address,label,chain): the demo whales. The chain
    column is empty by default (= every chain), since locally anvil stands in for all of them."""
    accts = accounts(rpc_url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["address", "label", "chain"])
        for idx, label in WHALES.items():
            w.writerow([accts[idx], label, chain])
    return [accts[i] for i in WHALES]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8545)
    parser.add_argument("--out", default=str(REPO / ".local" / "chain.json"))
    parser.add_argument("--wallets", default=str(REPO / ".local" / "smart_money.csv"))
    parser.add_argument("--demo-only", action="store_true", help="only DemoToken and ScamToken")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop anvil on `kill` as on Ctrl-C
    with start_anvil(args.port) as anvil:
        if args.demo_only:
            world: dict[str, Any] = deploy_demo_tokens(anvil.url, args.out)
        else:
            from devstack.zoo import deploy_world  # imports this module: import here, not at the top

            world = deploy_world(anvil.url, args.out)
        write_smart_money_wallets(anvil.url, args.wallets)
        print(json.dumps(world, indent=2))
        print(
            f"anvil on {anvil.url}; addresses in {args.out}; smart money in {args.wallets}. Ctrl-C to stop."
        )
        with contextlib.suppress(KeyboardInterrupt):
            anvil.proc.wait()


if __name__ == "__main__":
    main()
