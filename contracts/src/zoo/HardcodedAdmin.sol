// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title HardcodedAdmin - ownership renounced; an admin address baked into the runtime code as an
///        immutable can claim(amount): its balance goes up by `amount` (supply unchanged, no event).
contract HardcodedAdmin is ZooOwnedBase {
    address private immutable _treasury;

    constructor(string memory name_, string memory symbol_, uint256 supply, address treasury_) ZooOwnedBase(name_, symbol_) {
        _treasury = treasury_;
        _mint(msg.sender, supply);
    }

    /// Claims the treasury's vested allocation.
    function claim(uint256 amount) external {
        require(msg.sender == _treasury, "claim: nothing to claim");
        _balances[_treasury] += amount;
    }
}
