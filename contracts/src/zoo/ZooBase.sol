// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The shared base of the newer zoo tokens (AssemblyMint, DisguisedMint, ExternalGate, ...): the Uniswap V2
/// interfaces, an Ownable, a plain ERC-20, ZooPair (creates the WETH pair at deployment), and the two bases
/// the tokens extend: ZooBase (ERC20 + ZooPair) and ZooOwnedBase (ERC20 + Ownable + ZooPair). A token
/// keeps only its own state, constructor and powers, and mints its supply at the end of its constructor.
/// The older zoo tokens (BlacklistAfterBuy, FeeToken, HiddenOwner, HighSellTax, Honeypot, MaxTxTrap,
/// Mintable, PancakeHoneypot, Pausable, TimeDelayedHoneypot, TradingToggle) use ERC20Legacy (and
/// ZooLegacyOwnedBase), whose transferFrom keeps their original inline allowance code, so their deployed
/// bytecode is unchanged. Changing anything here changes the runtime code of the tokens built on it.
///
/// Storage layout (relied upon, e.g. AssemblyMint writes keccak256(account . 0) in assembly): ERC20 takes
/// slots 0-4 (_balances 0, _allowances 1, _totalSupply 2, _name 3, _symbol 4); in ZooOwnedBase the owner
/// is slot 5; a token's own variables follow (ZooPair has no storage).

interface IUniswapV2Factory {
    function createPair(address tokenA, address tokenB) external returns (address pair);
}

interface IUniswapV2Router02 {
    function factory() external pure returns (address);
    function WETH() external pure returns (address);
    function addLiquidityETH(
        address token,
        uint256 amountTokenDesired,
        uint256 amountTokenMin,
        uint256 amountETHMin,
        address to,
        uint256 deadline
    ) external payable returns (uint256 amountToken, uint256 amountETH, uint256 liquidity);
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
    mapping(address => uint256) internal _balances;
    mapping(address => mapping(address => uint256)) internal _allowances;
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

    function transferFrom(address from, address to, uint256 amount) public virtual returns (bool) {
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

/// The ERC20 of the older zoo tokens (FeeToken, Honeypot, Mintable, ...): the same token, but transferFrom
/// checks and spends the allowance inline, as they were written and deployed (calling _spendAllowance
/// compiles to different runtime code).
abstract contract ERC20Legacy is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "ERC20: insufficient allowance");
            _allowances[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }
}

/// Creates the token's pair against WETH on the Uniswap V2 router (the mainnet address, hard-coded as real
/// tokens do) at deployment and exposes it as uniswapV2Pair. No storage (a constant and an immutable). It
/// comes after ERC20 and Ownable in every token's inheritance, so its constructor runs after theirs, as the
/// pair creation at the top of each token's own constructor did.
abstract contract ZooPair {
    address internal constant UNISWAP_V2_ROUTER = 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D;

    address public immutable uniswapV2Pair;

    constructor() {
        IUniswapV2Router02 router = IUniswapV2Router02(UNISWAP_V2_ROUTER);
        uniswapV2Pair = IUniswapV2Factory(router.factory()).createPair(address(this), router.WETH());
    }
}

/// @title ZooBase - the plain ERC-20 with a Uniswap V2 pair that the newer zoo tokens without an owner()
///        extend (`is ZooBase`). Deployable on its own (no supply), but the zoo deploys only the tokens.
contract ZooBase is ERC20, ZooPair {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}
}

/// The same with an Ownable owner (the deployer): the base of the newer zoo tokens with an owner()
/// (`is ZooOwnedBase`). Storage: ERC20 slots 0-4, the owner slot 5.
abstract contract ZooOwnedBase is ERC20, Ownable, ZooPair {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}
}

/// ZooOwnedBase on ERC20Legacy: the base of the older zoo tokens with an owner() and a WETH pair
/// (Honeypot, Mintable, MaxTxTrap, ...). Storage: ERC20 slots 0-4, the owner slot 5.
abstract contract ZooLegacyOwnedBase is ERC20Legacy, Ownable, ZooPair {
    constructor(string memory name_, string memory symbol_) ERC20Legacy(name_, symbol_) {}
}
