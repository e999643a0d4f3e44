// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IUniswapV2Factory {
    function createPair(address tokenA, address tokenB) external returns (address pair);
}

interface IUniswapV2Router02 {
    function factory() external pure returns (address);
    function WETH() external pure returns (address);
}

abstract contract ERC20 {
    mapping(address => uint256) internal _balances;
    mapping(address => mapping(address => uint256)) private _allowances;
    uint256 internal _totalSupply;
    string private _name;
    string private _symbol;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_) {
        _name = name_;
        _symbol = symbol_;
    }

    function name() public view returns (string memory) {
        return _name;
    }

    function symbol() public view returns (string memory) {
        return _symbol;
    }

    function decimals() public pure returns (uint8) {
        return 18;
    }

    function totalSupply() public view returns (uint256) {
        return _totalSupply;
    }

    function balanceOf(address account) public view returns (uint256) {
        return _balances[account];
    }

    function allowance(address owner_, address spender) public view returns (uint256) {
        return _allowances[owner_][spender];
    }

    function approve(address spender, uint256 amount) public returns (bool) {
        _allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) public returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) public returns (bool) {
        _spendAllowance(from, msg.sender, amount);
        _transfer(from, to, amount);
        return true;
    }

    function _spendAllowance(address owner_, address spender, uint256 amount) internal {
        uint256 allowed = _allowances[owner_][spender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "ERC20: insufficient allowance");
            _allowances[owner_][spender] = allowed - amount;
        }
    }

    /// Tokens override this to add their rules, then call _move.
    function _transfer(address from, address to, uint256 amount) internal virtual {
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(to != address(0), "ERC20: transfer to the zero address");
        uint256 balance = _balances[from];
        require(balance >= amount, "ERC20: transfer amount exceeds balance");
        unchecked {
            _balances[from] = balance - amount;
            _balances[to] += amount;
        }
        emit Transfer(from, to, amount);
    }

    function _mint(address account, uint256 amount) internal {
        _totalSupply += amount;
        _balances[account] += amount;
        emit Transfer(address(0), account, amount);
    }

    function _burn(address account, uint256 amount) internal {
        uint256 balance = _balances[account];
        require(balance >= amount, "ERC20: burn amount exceeds balance");
        unchecked {
            _balances[account] = balance - amount;
            _totalSupply -= amount;
        }
        emit Transfer(account, address(0), amount);
    }
}

/// @title HeavyRebase - a positive rebase token without owner: every holder is tracked in a storage
///        array; the first transfer once REBASE_INTERVAL (7200) blocks have passed since the last rebase
///        runs the rebase, a loop over every holder that grows each balance by 0.1 % and writes a
///        per-epoch checkpoint for it (~30k gas per holder: with ~230 holders about 7M gas - fits a
///        30M block, not a 5M gas cap). Holders can hand out tokens in bulk with multiTransfer.
contract HeavyRebase is ERC20 {
    address private constant UNISWAP_V2_ROUTER = 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D;

    address public immutable uniswapV2Pair;

    uint256 public constant REBASE_INTERVAL = 7200;
    uint256 public constant REBASE_BPS = 10; // +0.1 % per epoch

    address[] public holders;
    mapping(address => bool) public isHolder;
    uint256 public lastRebaseBlock;
    uint256 public epoch;
    mapping(uint256 => mapping(address => uint256)) public checkpoints;

    event Rebase(uint256 indexed epoch, uint256 totalSupply);

    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20(name_, symbol_) {
        IUniswapV2Router02 router = IUniswapV2Router02(UNISWAP_V2_ROUTER);
        uniswapV2Pair = IUniswapV2Factory(router.factory()).createPair(address(this), router.WETH());
        lastRebaseBlock = block.number;
        _mint(msg.sender, supply);
        _track(msg.sender);
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }

    function multiTransfer(address[] calldata recipients, uint256 amount) external returns (bool) {
        for (uint256 i = 0; i < recipients.length; i++) {
            _transfer(msg.sender, recipients[i], amount);
        }
        return true;
    }

    function _track(address account) private {
        if (!isHolder[account]) {
            isHolder[account] = true;
            holders.push(account);
        }
    }

    function _rebase() private {
        lastRebaseBlock = block.number;
        uint256 e = ++epoch;
        uint256 added;
        uint256 n = holders.length;
        for (uint256 i = 0; i < n; i++) {
            address h = holders[i];
            if (h == uniswapV2Pair) continue; // the pool is not rebased (its reserves would drift)
            uint256 b = _balances[h];
            uint256 grow = (b * REBASE_BPS) / 10000;
            _balances[h] = b + grow;
            checkpoints[e][h] = b + grow;
            added += grow;
        }
        _totalSupply += added;
        emit Rebase(e, _totalSupply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (block.number >= lastRebaseBlock + REBASE_INTERVAL) {
            _rebase();
        }
        _move(from, to, amount);
        _track(to);
    }
}
