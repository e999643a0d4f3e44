// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title FeeRatio - a sell fee in basis points that goes to the owner; setRatio(uint16) has no cap
///        (10000 takes the whole sell). Launched at 200 (2 %). The owner is exempt.
contract FeeRatio is ZooOwnedBase {
    uint16 public ratio = 200;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function setRatio(uint16 value) external onlyOwner {
        ratio = value;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == uniswapV2Pair && from != owner() && ratio > 0) {
            uint256 cut = (amount * ratio) / 10000;
            _move(from, owner(), cut);
            amount -= cut;
        }
        _move(from, to, amount);
    }
}
