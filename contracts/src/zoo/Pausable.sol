// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title Pausable - trades normally while unpaused; the owner can pause every transfer (including
///        sells) except its own at any time.
contract Pausable is ZooLegacyOwnedBase {
    bool public paused;

    event Paused(address account);
    event Unpaused(address account);

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function pause() external onlyOwner {
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyOwner {
        paused = false;
        emit Unpaused(msg.sender);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (paused) require(from == owner() || to == owner(), "Pausable: paused");
        _move(from, to, amount);
    }
}
