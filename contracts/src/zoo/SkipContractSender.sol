// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title SkipContractSender - an anti-bot rule: a transfer FROM a contract (code at the sender) other
///        than the pair or the router silently moves nothing (returns true). Wallets (EOAs) trade
///        normally; bots and simulators that trade from a contract see their sells go nowhere.
contract SkipContractSender is ZooBase {
    constructor(string memory name_, string memory symbol_, uint256 supply) ZooBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (from != uniswapV2Pair && from != UNISWAP_V2_ROUTER && from.code.length > 0) {
            return; // bot protection: contracts cannot move tokens
        }
        _move(from, to, amount);
    }
}
