// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SimTestToken - a configurable ERC-20 for the trade simulator's own tests (never for anything real).
/// @notice Buys are transfers from `pair`, sells transfers to it. Taxes (basis points) go to the owner.
///         `honeypot`: sells revert for everyone but the owner. `trapAfterBlocks` > 0: sells start reverting
///         once that many blocks have passed since `setPair` (a time-delayed honeypot).
///         Modes set after deployment with `setModes` (benign patterns that a contract buyer misreads):
///         `skipContractSenders`: a transfer from an address with code (other than the pair) silently moves
///         nothing; `antiBot`: at most one transfer per tx.origin per block; `heavyAfterBlocks` > 0: once that
///         many blocks have passed since `setPair`, every sell first burns `heavyGas` gas (a costly rebase).
///         `setBlocked`: the owner blocks chosen holders from selling (a blacklist-after-buy).
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
    bool public skipContractSenders;
    bool public antiBot;
    uint256 public heavyAfterBlocks;
    uint256 public heavyGas;
    uint256 public rebaseIndex;
    mapping(address => uint256) public lastTransferBlock;
    mapping(address => bool) public blocked;

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

    function setModes(bool skipContractSenders_, bool antiBot_, uint256 heavyAfterBlocks_, uint256 heavyGas_)
        external
    {
        require(msg.sender == owner, "not owner");
        skipContractSenders = skipContractSenders_;
        antiBot = antiBot_;
        heavyAfterBlocks = heavyAfterBlocks_;
        heavyGas = heavyGas_;
    }

    function setBlocked(address holder, bool value) external {
        require(msg.sender == owner, "not owner");
        blocked[holder] = value;
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
        if (from != owner && to != owner) {
            if (skipContractSenders && from != pair && from.code.length > 0) {
                emit Transfer(from, to, 0); // "bot protection": contracts move nothing, silently
                return;
            }
            if (antiBot) {
                require(lastTransferBlock[tx.origin] != block.number, "anti-bot: one transfer per block");
                lastTransferBlock[tx.origin] = block.number;
            }
            if (to == pair && heavyAfterBlocks > 0 && block.number >= launchBlock + heavyAfterBlocks) _rebase();
        }
        uint256 bps;
        if (from == owner || to == owner) {
            bps = 0;
        } else if (to == pair) {
            if (honeypot || blocked[from]) revert SellsDisabled(from);
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

    /// A deliberately expensive but harmless rebase: burns `heavyGas` gas hashing.
    function _rebase() private {
        uint256 start = gasleft();
        bytes32 acc = bytes32(rebaseIndex);
        while (start - gasleft() < heavyGas) {
            acc = keccak256(abi.encode(acc));
        }
        rebaseIndex = uint256(acc) % 1000;
    }
}
