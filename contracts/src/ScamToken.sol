// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ScamToken - an ERC-20 with the classic red flags, for local testing of the scanner.
/// @notice DO NOT use for anything real. The owner can mint at will, blacklist holders so they cannot
///         transfer (sell), set an arbitrary sell tax up to 100% and pause all trading.
contract ScamToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    address public owner;
    bool public tradingPaused;
    uint256 public sellTaxBps; // charged on transfers to `pair` (sells), in basis points
    address public pair; // the "DEX pair"; transfers to it count as sells
    address public taxWallet;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlacklisted;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint256 supply) {
        name = name_;
        symbol = symbol_;
        owner = msg.sender;
        taxWallet = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
        _mint(msg.sender, supply);
    }

    // --- owner powers (the red flags) ---

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function blacklist(address account) external onlyOwner {
        isBlacklisted[account] = true;
    }

    function unblacklist(address account) external onlyOwner {
        isBlacklisted[account] = false;
    }

    function setSellTax(uint256 bps) external onlyOwner {
        require(bps <= 10_000, "tax > 100%");
        sellTaxBps = bps;
    }

    function setPair(address pair_) external onlyOwner {
        pair = pair_;
    }

    function setTradingPaused(bool paused) external onlyOwner {
        tradingPaused = paused;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // --- ERC-20 ---

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "ERC20: insufficient allowance");
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _mint(address to, uint256 amount) internal {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(!isBlacklisted[from] && !isBlacklisted[to], "blacklisted");
        require(!tradingPaused || from == owner, "trading paused");
        uint256 bal = balanceOf[from];
        require(bal >= value, "ERC20: transfer amount exceeds balance");
        uint256 tax = 0;
        if (to == pair && pair != address(0) && from != owner) {
            tax = (value * sellTaxBps) / 10_000;
        }
        unchecked {
            balanceOf[from] = bal - value;
        }
        balanceOf[to] += value - tax;
        emit Transfer(from, to, value - tax);
        if (tax > 0) {
            balanceOf[taxWallet] += tax;
            emit Transfer(from, taxWallet, tax);
        }
    }
}
