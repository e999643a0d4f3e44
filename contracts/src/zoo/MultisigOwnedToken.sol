// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IUniswapV2Factory {
    function createPair(address tokenA, address tokenB) external returns (address pair);
}

interface IUniswapV2Router02 {
    function factory() external pure returns (address);
    function WETH() external pure returns (address);
}

abstract contract Ownable {
    address private _owner;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor() {
        _transferOwnership(msg.sender);
    }

    modifier onlyOwner() {
        require(_owner == msg.sender, "Ownable: caller is not the owner");
        _;
    }

    function owner() public view returns (address) {
        return _owner;
    }

    function renounceOwnership() public virtual onlyOwner {
        _transferOwnership(address(0));
    }

    function transferOwnership(address newOwner) public virtual onlyOwner {
        require(newOwner != address(0), "Ownable: new owner is the zero address");
        _transferOwnership(newOwner);
    }

    function _transferOwnership(address newOwner) internal {
        emit OwnershipTransferred(_owner, newOwner);
        _owner = newOwner;
    }
}

abstract contract ERC20 {
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;
    uint256 private _totalSupply;
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

/// A minimal 2-of-3 multisig wallet: an owner submits a call (counting as its confirmation), a second
/// owner confirms, anyone executes once two owners confirmed.
contract SimpleMultisig {
    struct Call {
        address to;
        uint256 value;
        bytes data;
        bool executed;
        uint256 confirmations;
    }

    address[3] public owners;
    uint256 public constant required = 2;
    Call[] public calls;
    mapping(uint256 => mapping(address => bool)) public confirmed;

    event Submitted(uint256 indexed id, address indexed by);
    event Confirmed(uint256 indexed id, address indexed by);
    event Executed(uint256 indexed id);

    constructor(address[3] memory owners_) {
        owners = owners_;
    }

    modifier onlySigner() {
        require(msg.sender == owners[0] || msg.sender == owners[1] || msg.sender == owners[2], "not a signer");
        _;
    }

    function callCount() external view returns (uint256) {
        return calls.length;
    }

    function submit(address to, uint256 value, bytes calldata data) external onlySigner returns (uint256 id) {
        id = calls.length;
        calls.push(Call(to, value, data, false, 0));
        emit Submitted(id, msg.sender);
        confirm(id);
    }

    function confirm(uint256 id) public onlySigner {
        require(id < calls.length, "no such call");
        require(!confirmed[id][msg.sender], "already confirmed");
        confirmed[id][msg.sender] = true;
        calls[id].confirmations += 1;
        emit Confirmed(id, msg.sender);
    }

    function execute(uint256 id) external {
        Call storage c = calls[id];
        require(!c.executed, "already executed");
        require(c.confirmations >= required, "not enough confirmations");
        c.executed = true;
        (bool ok, bytes memory ret) = c.to.call{value: c.value}(c.data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        emit Executed(id);
    }

    receive() external payable {}
}

/// A minimal TimelockController: the proposer schedules a call, anyone executes it once the delay
/// (at least `minDelay`, two days) has passed.
contract SimpleTimelock {
    uint256 public constant minDelay = 2 days;
    address public immutable proposer;
    mapping(bytes32 => uint256) public readyAt;

    event CallScheduled(bytes32 indexed id, address target, uint256 value, bytes data, uint256 readyAt);
    event CallExecuted(bytes32 indexed id, address target, uint256 value, bytes data);

    constructor(address proposer_) {
        proposer = proposer_;
    }

    function hashOperation(address target, uint256 value, bytes calldata data, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(target, value, data, salt));
    }

    function schedule(address target, uint256 value, bytes calldata data, bytes32 salt, uint256 delay) external {
        require(msg.sender == proposer, "TimelockController: caller is not the proposer");
        require(delay >= minDelay, "TimelockController: insufficient delay");
        bytes32 id = hashOperation(target, value, data, salt);
        require(readyAt[id] == 0, "TimelockController: operation already scheduled");
        readyAt[id] = block.timestamp + delay;
        emit CallScheduled(id, target, value, data, block.timestamp + delay);
    }

    function execute(address target, uint256 value, bytes calldata data, bytes32 salt) external payable {
        bytes32 id = hashOperation(target, value, data, salt);
        uint256 at = readyAt[id];
        require(at > 1, "TimelockController: operation is not pending");
        require(block.timestamp >= at, "TimelockController: operation is not ready");
        readyAt[id] = 1; // done
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        emit CallExecuted(id, target, value, data);
    }

    receive() external payable {}
}

/// @title MultisigOwnedToken - an Ownable token with an unlimited owner mint, whose owner is a
///        SimpleTimelock (2-day delay) whose only proposer is a 2-of-3 SimpleMultisig.
contract MultisigOwnedToken is ERC20, Ownable {
    address private constant UNISWAP_V2_ROUTER = 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D;

    address public immutable uniswapV2Pair;

    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20(name_, symbol_) {
        IUniswapV2Router02 router = IUniswapV2Router02(UNISWAP_V2_ROUTER);
        uniswapV2Pair = IUniswapV2Factory(router.factory()).createPair(address(this), router.WETH());
        _mint(msg.sender, supply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
