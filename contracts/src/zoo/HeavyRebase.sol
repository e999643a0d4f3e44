// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title HeavyRebase - a positive rebase token without owner: every holder is tracked in a storage
///        array; the first transfer once REBASE_INTERVAL (7200) blocks have passed since the last rebase
///        runs the rebase, a loop over every holder that grows each balance by 0.1 % and writes a
///        per-epoch checkpoint for it (~30k gas per holder: with ~230 holders about 7M gas - fits a
///        30M block, not a 5M gas cap). Holders can hand out tokens in bulk with multiTransfer.
contract HeavyRebase is ZooBase {
    uint256 public constant REBASE_INTERVAL = 7200;
    uint256 public constant REBASE_BPS = 10; // +0.1 % per epoch

    address[] public holders;
    mapping(address => bool) public isHolder;
    uint256 public lastRebaseBlock;
    uint256 public epoch;
    mapping(uint256 => mapping(address => uint256)) public checkpoints;

    event Rebase(uint256 indexed epoch, uint256 totalSupply);

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooBase(name_, symbol_) {
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
