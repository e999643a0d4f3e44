// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TradeSimulator - buy, transfer and sell a token through a Uniswap-V2-style router in ONE eth_call.
/// @notice Never deployed. The scanner places this contract's RUNTIME bytecode at a fresh address with an
///         eth_call state override (plus a native-coin balance) and calls `simulate`. Nothing it does is
///         persisted: eth_call discards every state change. Each step runs in its own try/low-level call
///         so a reverting token is recorded (revert data, gas) instead of aborting the whole simulation.
///         External reads use low-level calls and tolerate garbage, so `simulate` itself never reverts
///         on a hostile token or router (unless it runs out of gas).
contract TradeSimulator {
    struct Step {
        bool attempted; // false when an earlier step failed and this one was skipped
        bool ok; // the call succeeded (and, for ERC-20 calls, did not return false)
        uint256 gasUsed; // gasleft() delta around the call
        uint256 expected; // buy: router quote (tokens); transfer: tokens sent; approve: 0; sell: quote (native)
        uint256 received; // buy: tokens received; transfer: receiver's balance delta; sell: native received
        bytes revertData; // raw revert data (Error(string) / Panic(uint256) / custom error / empty)
    }

    struct Result {
        uint256 blockNumber;
        uint256 timestamp;
        bool routerHasCode;
        bool tokenHasCode;
        address pair; // zero when the factory has no token/wrapped pair
        uint256 reserveWrapped;
        uint256 reserveToken;
        uint256 amountIn; // native coin spent on the buy
        uint256 amountSold; // tokens offered on the sell
        Step buy;
        Step transfer;
        Step approve;
        Step sell;
        bytes sellTokenRevert; // when the sell failed: the token's own revert data for transfer(pair, amount)
    }

    uint256 private constant STEP_GAS = 5_000_000; // 5 calls x 5M stays under a 30M block gas limit
    uint256 private constant DEFAULT_SHARE = 1_000; // amountIn = reserveWrapped / 1000 when none is given
    bytes4 private constant ERROR_SELECTOR = 0x08c379a0; // Error(string)

    receive() external payable {}

    /// @param router   Uniswap-V2-style router (swap*SupportingFeeOnTransferTokens, getAmountsOut, factory)
    /// @param token    the token under test
    /// @param amountIn native coin to spend on the buy; 0 = 0.1 % of the pair's wrapped reserve
    /// @param wrapped  the chain's wrapped native coin (the pair's other side)
    /// @param receiver a fresh address (no code needed) that receives part of the bought tokens
    function simulate(address router, address token, uint256 amountIn, address wrapped, address receiver)
        external
        returns (Result memory r)
    {
        r.blockNumber = block.number;
        r.timestamp = block.timestamp;
        r.routerHasCode = router.code.length > 0;
        r.tokenHasCode = token.code.length > 0;
        if (!r.routerHasCode || !r.tokenHasCode) return r;

        (r.pair, r.reserveWrapped, r.reserveToken) = _pool(router, token, wrapped);
        if (r.pair == address(0) || r.reserveWrapped == 0 || r.reserveToken == 0) return r;

        r.amountIn = amountIn != 0 ? amountIn : r.reserveWrapped / DEFAULT_SHARE;
        if (r.amountIn == 0 || r.amountIn > address(this).balance) return r;

        _buy(r, router, token, wrapped);
        if (!r.buy.ok || r.buy.received == 0) return r;

        _transfer(r, token, receiver, r.buy.received / 4);
        _approve(r, token, router);
        if (!r.approve.ok) return r;
        _sell(r, router, token, wrapped);
    }

    // --- steps -------------------------------------------------------------------------------------

    function _buy(Result memory r, address router, address token, address wrapped) private {
        address[] memory path = new address[](2);
        path[0] = wrapped;
        path[1] = token;
        r.buy.attempted = true;
        r.buy.expected = _quote(router, r.amountIn, path);
        uint256 before = _balanceOf(token, address(this));
        uint256 g = gasleft();
        try IRouterV2(router).swapExactETHForTokensSupportingFeeOnTransferTokens{value: r.amountIn, gas: STEP_GAS}(
            0, path, address(this), block.timestamp + 3600
        ) {
            r.buy.ok = true;
        } catch (bytes memory reason) {
            r.buy.revertData = reason;
        }
        r.buy.gasUsed = g - gasleft();
        r.buy.received = _delta(before, _balanceOf(token, address(this)));
    }

    function _transfer(Result memory r, address token, address receiver, uint256 amount) private {
        r.transfer.attempted = true;
        r.transfer.expected = amount;
        uint256 before = _balanceOf(token, receiver);
        uint256 g = gasleft();
        (bool success, bytes memory ret) =
            token.call{gas: STEP_GAS}(abi.encodeWithSelector(IERC20Min.transfer.selector, receiver, amount));
        r.transfer.gasUsed = g - gasleft();
        _settle(r.transfer, success, ret, "transfer returned false");
        r.transfer.received = _delta(before, _balanceOf(token, receiver));
    }

    function _approve(Result memory r, address token, address router) private {
        r.approve.attempted = true;
        uint256 g = gasleft();
        (bool success, bytes memory ret) =
            token.call{gas: STEP_GAS}(abi.encodeWithSelector(IERC20Min.approve.selector, router, type(uint256).max));
        r.approve.gasUsed = g - gasleft();
        _settle(r.approve, success, ret, "approve returned false");
    }

    function _sell(Result memory r, address router, address token, address wrapped) private {
        address[] memory path = new address[](2);
        path[0] = token;
        path[1] = wrapped;
        r.sell.attempted = true;
        r.amountSold = _balanceOf(token, address(this));
        r.sell.expected = _quote(router, r.amountSold, path);
        uint256 before = address(this).balance;
        uint256 g = gasleft();
        try IRouterV2(router).swapExactTokensForETHSupportingFeeOnTransferTokens{gas: STEP_GAS}(
            r.amountSold, 0, path, address(this), block.timestamp + 3600
        ) {
            r.sell.ok = true;
        } catch (bytes memory reason) {
            r.sell.revertData = reason;
        }
        r.sell.gasUsed = g - gasleft();
        r.sell.received = _delta(before, address(this).balance);
        if (!r.sell.ok) {
            // The router reports any token failure as "TransferHelper: TRANSFER_FROM_FAILED". Sending the
            // tokens to the pair directly is the same "sell" to the token and reveals its own reason.
            (bool success, bytes memory ret) = token.call{gas: STEP_GAS}(
                abi.encodeWithSelector(IERC20Min.transfer.selector, r.pair, r.amountSold)
            );
            if (!success) r.sellTokenRevert = ret;
        }
    }

    // --- helpers (low-level, never revert) -----------------------------------------------------------

    function _settle(Step memory s, bool success, bytes memory ret, string memory falseReason) private pure {
        if (!success) {
            s.revertData = ret;
        } else if (ret.length >= 32 && abi.decode(ret, (uint256)) == 0) {
            s.revertData = abi.encodeWithSelector(ERROR_SELECTOR, falseReason);
        } else {
            s.ok = true; // true, or no return value at all (USDT-style tokens)
        }
    }

    function _pool(address router, address token, address wrapped)
        private
        view
        returns (address pair, uint256 reserveWrapped, uint256 reserveToken)
    {
        address factory = _address(router, abi.encodeWithSelector(IRouterV2.factory.selector));
        if (factory == address(0)) return (address(0), 0, 0);
        pair = _address(factory, abi.encodeWithSelector(IFactoryV2.getPair.selector, token, wrapped));
        if (pair == address(0) || pair.code.length == 0) return (address(0), 0, 0);
        (bool ok, bytes memory ret) = pair.staticcall(abi.encodeWithSelector(IPairV2.getReserves.selector));
        if (!ok || ret.length < 64) return (pair, 0, 0);
        (uint256 r0, uint256 r1) = abi.decode(ret, (uint256, uint256));
        address token0 = _address(pair, abi.encodeWithSelector(IPairV2.token0.selector));
        (reserveWrapped, reserveToken) = token0 == wrapped ? (r0, r1) : (r1, r0);
    }

    function _address(address target, bytes memory data) private view returns (address a) {
        (bool ok, bytes memory ret) = target.staticcall(data);
        if (!ok || ret.length < 32) return address(0);
        uint256 word = abi.decode(ret, (uint256));
        if (word >> 160 != 0) return address(0);
        a = address(uint160(word));
    }

    /// getAmountsOut(amount, path)[1]; 0 when the router reverts or answers garbage.
    function _quote(address router, uint256 amount, address[] memory path) private view returns (uint256 out) {
        (bool ok, bytes memory ret) =
            router.staticcall(abi.encodeWithSelector(IRouterV2.getAmountsOut.selector, amount, path));
        if (!ok || ret.length < 128) return 0;
        assembly {
            out := mload(add(ret, 128)) // [offset][length][amounts[0]][amounts[1]]
        }
    }

    function _balanceOf(address token, address who) private view returns (uint256) {
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeWithSelector(IERC20Min.balanceOf.selector, who));
        if (!ok || ret.length < 32) return 0;
        return abi.decode(ret, (uint256));
    }

    function _delta(uint256 before, uint256 afterwards) private pure returns (uint256) {
        return afterwards > before ? afterwards - before : 0;
    }
}

interface IERC20Min {
    function balanceOf(address) external view returns (uint256);
    function transfer(address, uint256) external returns (bool);
    function approve(address, uint256) external returns (bool);
}

interface IRouterV2 {
    function factory() external view returns (address);
    function getAmountsOut(uint256 amountIn, address[] calldata path) external view returns (uint256[] memory);
    function swapExactETHForTokensSupportingFeeOnTransferTokens(
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external payable;
    function swapExactTokensForETHSupportingFeeOnTransferTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external;
}

interface IFactoryV2 {
    function getPair(address, address) external view returns (address);
}

interface IPairV2 {
    function getReserves() external view returns (uint112, uint112, uint32);
    function token0() external view returns (address);
}
