// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title SellCap - configure(uint256) sets the largest amount one transfer to the pair (a sell) may
///        move; no lower bound, so 0 blocks every sell. The owner is exempt.
contract SellCap is ZooOwnedBase {
    uint256 private _cap;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _cap = supply / 100;
        _mint(msg.sender, supply);
    }

    function configure(uint256 value) external onlyOwner {
        _cap = value;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == uniswapV2Pair && from != owner()) {
            require(amount <= _cap, "ERC20: amount too large");
        }
        _move(from, to, amount);
    }
}
