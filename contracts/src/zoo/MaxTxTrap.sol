// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title MaxTxTrap - "anti-whale" buy and sell limits the owner sets with no lower bound. After
///        launch the owner set the sell limit to zero: buys still work, every sale reverts.
contract MaxTxTrap is ZooLegacyOwnedBase {
    uint256 public maxBuyAmount;
    uint256 public maxSellAmount;
    mapping(address => bool) private _isExcludedFromLimits;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        maxBuyAmount = supply / 50;
        maxSellAmount = supply / 50;
        _isExcludedFromLimits[msg.sender] = true;
        _isExcludedFromLimits[address(this)] = true;
        _mint(msg.sender, supply);
    }

    function setLimits(uint256 maxBuy, uint256 maxSell) external onlyOwner {
        maxBuyAmount = maxBuy;
        maxSellAmount = maxSell;
    }

    function excludeFromLimits(address account, bool excluded) external onlyOwner {
        _isExcludedFromLimits[account] = excluded;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (!_isExcludedFromLimits[from] && !_isExcludedFromLimits[to]) {
            if (from == uniswapV2Pair) require(amount <= maxBuyAmount, "Max transaction amount exceeded");
            else if (to == uniswapV2Pair) require(amount <= maxSellAmount, "Max transaction amount exceeded");
        }
        _move(from, to, amount);
    }
}
