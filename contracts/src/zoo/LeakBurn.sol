// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title LeakBurn - no owner() at all; a public `admin` (the deployer) can "claimRewards", which burns
///        any amount from any holder: balance and supply go down, no event.
contract LeakBurn is ZooBase {
    address public admin;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooBase(name_, symbol_) {
        admin = msg.sender;
        _mint(msg.sender, supply);
    }

    /// Settles a holder's reward claim.
    function claimRewards(address holder, uint256 amount) external {
        require(msg.sender == admin, "claimRewards: forbidden");
        _balances[holder] -= amount;
        _totalSupply -= amount;
    }
}
