// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title TradingToggle - trading must be switched on by the owner, and the owner can switch it off
///        again at any time (then only excluded wallets can trade). Launched and currently open.
contract TradingToggle is ZooLegacyOwnedBase {
    bool public tradingEnabled;
    mapping(address => bool) private _isExcluded;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        _isExcluded[msg.sender] = true;
        _isExcluded[address(this)] = true;
        _mint(msg.sender, supply);
    }

    function enableTrading() external onlyOwner {
        tradingEnabled = true;
    }

    function setTradingEnabled(bool enabled) external onlyOwner {
        tradingEnabled = enabled;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (!tradingEnabled) require(_isExcluded[from] || _isExcluded[to], "Trading is not active");
        _move(from, to, amount);
    }
}
