// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Counter} from "../../contracts/Counter.sol";

/// Solidity tests (run by `hardhat test solidity`): every `test*` function is a test, and one
/// with parameters is a fuzz test. Plain `require`, no test library to download.
contract CounterTest {
    Counter internal counter;

    function setUp() public {
        counter = new Counter(5);
    }

    function test_StartsAtTheConstructorValue() public view {
        require(counter.count() == 5, "count should start at 5");
    }

    function test_IncrementAddsOne() public {
        counter.increment();
        require(counter.count() == 6, "increment should add one");
    }

    function testFuzz_IncrementByAddsTheAmount(uint64 amount) public {
        if (amount == 0) return;
        counter.incrementBy(amount);
        require(counter.count() == 5 + uint256(amount), "incrementBy should add the amount");
    }

    function test_RefusesAZeroIncrement() public {
        try counter.incrementBy(0) {
            revert("a zero increment should revert");
        } catch (bytes memory reason) {
            require(bytes4(reason) == Counter.ZeroIncrement.selector, "expected ZeroIncrement");
        }
        require(counter.count() == 5, "a refused increment changes nothing");
    }
}
