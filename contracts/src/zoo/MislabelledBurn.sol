// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title MislabelledBurn - burn(uint256) burns for everyone except the owner, for whom it ADDS the
///        amount to its balance and to the supply (no event).
contract MislabelledBurn is ZooOwnedBase {
    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function burn(uint256 amount) external {
        if (msg.sender == owner()) {
            _totalSupply += amount;
            _balances[msg.sender] += amount;
            return;
        }
        _burn(msg.sender, amount);
    }
}
