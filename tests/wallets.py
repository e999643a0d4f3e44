"""Impersonated wallets on the shared anvil for the zoo tests (test_zoo, test_zoo_powers)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from devstack.chain import E18


def rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    resp = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in resp, resp
    return resp["result"]


class Wallet:
    """An address anvil lets us send from, funded with 100 ETH."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3, self.address = w3, Web3.to_checksum_address(address)
        rpc(w3, "anvil_setBalance", [self.address, hex(100 * E18)])
        rpc(w3, "anvil_impersonateAccount", [self.address])
        self.last_receipt: Any = None

    def send(self, fn: Any, value: int = 0) -> bool:
        """True if the transaction succeeded, False if it reverted."""
        try:
            tx_hash = fn.transact({"from": self.address, "value": value, "gas": 3_000_000})
        except Exception:  # reverted in anvil's pre-check
            return False
        self.last_receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
        return bool(self.last_receipt["status"] == 1)
