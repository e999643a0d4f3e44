// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// The transfer gate: returns how much of a transfer is credited. Its owner can switch on a "strict"
/// mode in which transfers to the pair (sells) are credited 0 - the seller's tokens vanish and the
/// router's swap reverts. Deployed first by the token's deployer, switched off at launch.
contract TransferGate {
    address public owner;
    address public pair;
    bool public strict;

    constructor() {
        owner = msg.sender;
    }

    function setPair(address pair_) external {
        require(msg.sender == owner, "TransferGate: forbidden");
        pair = pair_;
    }

    function setStrict(bool strict_) external {
        require(msg.sender == owner, "TransferGate: forbidden");
        strict = strict_;
    }

    function allowed(address, address to, uint256 amount) external view returns (uint256) {
        if (strict && to == pair) return 0;
        return amount;
    }
}

interface IGate {
    function allowed(address from, address to, uint256 amount) external view returns (uint256);
}

/// @title ExternalGate - every transfer asks an external gate contract (immutable address) how much
///        to credit; the debit is the full amount, the rest is burnt. The gate's owner can make it
///        credit 0 for sells at any time.
contract ExternalGate is ZooOwnedBase {
    address public immutable gate;

    constructor(string memory name_, string memory symbol_, uint256 supply, address gate_) ZooOwnedBase(name_, symbol_) {
        gate = gate_;
        _mint(msg.sender, supply);
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        require(from != address(0) && to != address(0), "ERC20: zero address");
        uint256 balance = _balances[from];
        require(balance >= amount, "ERC20: transfer amount exceeds balance");
        uint256 credited = IGate(gate).allowed(from, to, amount);
        require(credited <= amount, "ERC20: bad gate");
        unchecked {
            _balances[from] = balance - amount;
            _balances[to] += credited;
            _totalSupply -= amount - credited;
        }
        emit Transfer(from, to, credited);
    }
}
