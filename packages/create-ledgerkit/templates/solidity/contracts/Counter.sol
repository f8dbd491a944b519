// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// A counter anyone can increase; every change is an event, so its history can be read and
/// verified from the chain's logs.
contract Counter {
    /// An increment of zero changes nothing and is refused.
    error ZeroIncrement();

    event Incremented(address indexed by, uint256 amount, uint256 count);

    uint256 public count;

    constructor(uint256 start) {
        count = start;
    }

    function increment() external {
        incrementBy(1);
    }

    function incrementBy(uint256 amount) public {
        if (amount == 0) revert ZeroIncrement();
        count += amount;
        emit Incremented(msg.sender, amount, count);
    }
}
