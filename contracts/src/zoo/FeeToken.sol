// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title FeeToken - an honest fee-on-transfer token: every transfer (buys, sells and wallet-to-wallet)
///        pays a fixed 3% to a fee wallet set at deployment. No owner, no setters, nothing to change.
contract FeeToken is ERC20Legacy {
    uint256 public constant FEE_PERCENT = 3;
    address public immutable feeWallet;

    constructor(string memory name_, string memory symbol_, uint256 supply, address feeWallet_)
        ERC20Legacy(name_, symbol_)
    {
        feeWallet = feeWallet_;
        _mint(msg.sender, supply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (from == feeWallet || to == feeWallet) {
            _move(from, to, amount);
            return;
        }
        uint256 fee = (amount * FEE_PERCENT) / 100;
        _move(from, feeWallet, fee);
        _move(from, to, amount - fee);
    }
}
