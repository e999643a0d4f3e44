// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title HighSellTax - buy and sell taxes the owner sets without any cap. Launched at 0/0, then the
///        owner raised the sell tax to 99%: sellers receive 1% of what they sell for.
contract HighSellTax is ZooLegacyOwnedBase {
    IUniswapV2Router02 public immutable uniswapV2Router;
    address public marketingWallet;
    uint256 public buyFee;
    uint256 public sellFee;
    mapping(address => bool) private _isExcludedFromFee;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        uniswapV2Router = IUniswapV2Router02(UNISWAP_V2_ROUTER);
        marketingWallet = msg.sender;
        _isExcludedFromFee[msg.sender] = true;
        _isExcludedFromFee[address(this)] = true;
        _mint(msg.sender, supply);
    }

    function setFees(uint256 buyFee_, uint256 sellFee_) external onlyOwner {
        buyFee = buyFee_;
        sellFee = sellFee_;
    }

    function setMarketingWallet(address wallet) external onlyOwner {
        marketingWallet = wallet;
    }

    function excludeFromFee(address account, bool excluded) external onlyOwner {
        _isExcludedFromFee[account] = excluded;
    }

    function isExcludedFromFee(address account) external view returns (bool) {
        return _isExcludedFromFee[account];
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        uint256 fee;
        if (!_isExcludedFromFee[from] && !_isExcludedFromFee[to]) {
            if (from == uniswapV2Pair) fee = (amount * buyFee) / 100;
            else if (to == uniswapV2Pair) fee = (amount * sellFee) / 100;
        }
        if (fee > 0) _move(from, marketingWallet, fee);
        _move(from, to, amount - fee);
    }
}
