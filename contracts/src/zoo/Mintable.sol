// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title Mintable - trades normally, but the owner can mint any amount to any address at any time.
contract Mintable is ZooLegacyOwnedBase {
    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
