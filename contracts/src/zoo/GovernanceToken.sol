// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title GovernanceToken - UNI style: a `minter` may mint only after `mintingAllowedAfter` (one year
///        after deployment), at most 2 % of the supply per mint and at most once a year; the minter
///        can hand the role on with setMinter.
contract GovernanceToken is ZooBase {
    address public minter;
    uint256 public mintingAllowedAfter;
    uint32 public constant minimumTimeBetweenMints = 1 days * 365;
    uint8 public constant mintCap = 2;

    event MinterChanged(address minter, address newMinter);

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooBase(name_, symbol_) {
        minter = msg.sender;
        emit MinterChanged(address(0), msg.sender);
        mintingAllowedAfter = block.timestamp + 365 days;
        _mint(msg.sender, supply);
    }

    function setMinter(address minter_) external {
        require(msg.sender == minter, "Uni::setMinter: only the minter can change the minter address");
        emit MinterChanged(minter, minter_);
        minter = minter_;
    }

    function mint(address dst, uint256 rawAmount) external {
        require(msg.sender == minter, "Uni::mint: only the minter can mint");
        require(block.timestamp >= mintingAllowedAfter, "Uni::mint: minting not allowed yet");
        require(dst != address(0), "Uni::mint: cannot transfer to the zero address");
        mintingAllowedAfter = block.timestamp + minimumTimeBetweenMints;
        require(rawAmount <= (totalSupply() * mintCap) / 100, "Uni::mint: exceeded mint cap");
        _mint(dst, rawAmount);
    }
}
