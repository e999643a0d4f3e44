// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title SameBlockGuard - a per-block anti-bot rule: once tx.origin has bought (received from the
///        pair) in a block, any further transfer it makes in that same block reverts. Real wallets buy
///        and sell in different blocks; a buy-then-sell inside one simulated call trips it.
contract SameBlockGuard is ZooBase {
    mapping(address => uint256) private _boughtInBlock;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (from == uniswapV2Pair) {
            _boughtInBlock[tx.origin] = block.number;
        } else {
            require(_boughtInBlock[tx.origin] != block.number, "SameBlockGuard: one trade per block");
        }
        _move(from, to, amount);
    }
}
