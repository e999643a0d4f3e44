// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

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
contract MultisigOwnedToken is ZooOwnedBase {
    constructor(string memory name_, string memory symbol_, uint256 supply) ZooOwnedBase(name_, symbol_) {
        _mint(msg.sender, supply);
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
