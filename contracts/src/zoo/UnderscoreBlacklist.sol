// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title UnderscoreBlacklist - an external function with a leading underscore, _setBlocked(address,bool),
///        is the owner's blacklist: blocked senders' transfers (and so their sells) revert.
contract UnderscoreBlacklist is ZooOwnedBase {
    mapping(address => bool) private _blocked;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function _setBlocked(address account, bool value) external onlyOwner {
        _blocked[account] = value;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        require(!_blocked[from], "ERC20: transfer failed");
        _move(from, to, amount);
    }
}
