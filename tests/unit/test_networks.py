from eth_utils.address import is_checksum_address

from moneygrow.chain.networks import NETWORKS, network
from moneygrow.chains import Chain


def test_every_chain_is_configured_with_checksummed_addresses() -> None:
    assert set(NETWORKS) == set(Chain)
    for chain in Chain:
        net = network(chain)
        addresses = [net.wrapped_native, net.dex.router, net.dex.factory, *net.stablecoins.values()]
        assert all(is_checksum_address(a) for a in addresses), chain
        assert len({net.chain_id for net in NETWORKS.values()}) == len(NETWORKS)
        assert net.stablecoins, chain
