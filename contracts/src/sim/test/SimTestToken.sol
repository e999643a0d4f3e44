// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SimTestToken - a configurable ERC-20 for the trade simulator's own tests (never for anything real).
/// @notice Buys are transfers from `pair`, sells transfers to it. Taxes (basis points) go to the owner.
///         `honeypot`: sells revert for everyone but the owner. `trapAfterBlocks` > 0: sells start reverting
///         once that many blocks have passed since `setPair` (a time-delayed honeypot).
contract SimTestToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    address public owner;
    address public pair;
    uint256 public launchBlock;
    uint256 public buyTaxBps;
    uint256 public sellTaxBps;
    uint256 public transferTaxBps;
    bool public honeypot;
    uint256 public trapAfterBlocks;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error SellsDisabled(address seller);

    constructor(
        string memory symbol_,
        uint256 supply,
        uint256 buyBps,
        uint256 sellBps,
        uint256 transferBps,
        bool honeypot_,
        uint256 trapAfterBlocks_
    ) {
        name = symbol_;
        symbol = symbol_;
        owner = msg.sender;
        buyTaxBps = buyBps;
        sellTaxBps = sellBps;
        transferTaxBps = transferBps;
        honeypot = honeypot_;
        trapAfterBlocks = trapAfterBlocks_;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function setPair(address pair_) external {
        require(msg.sender == owner, "not owner");
        pair = pair_;
        launchBlock = block.number;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "ERC20: insufficient allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(balanceOf[from] >= amount, "ERC20: transfer amount exceeds balance");
        uint256 bps;
        if (from == owner || to == owner) {
            bps = 0;
        } else if (to == pair) {
            if (honeypot) revert SellsDisabled(from);
            require(trapAfterBlocks == 0 || block.number < launchBlock + trapAfterBlocks, "trading closed");
            bps = sellTaxBps;
        } else if (from == pair) {
            bps = buyTaxBps;
        } else {
            bps = transferTaxBps;
        }
        uint256 fee = (amount * bps) / 10_000;
        balanceOf[from] -= amount;
        balanceOf[to] += amount - fee;
        emit Transfer(from, to, amount - fee);
        if (fee > 0) {
            balanceOf[owner] += fee;
            emit Transfer(from, owner, fee);
        }
    }
}
