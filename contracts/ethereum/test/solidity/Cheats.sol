// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev The few Hardhat 3 / Foundry cheatcodes these tests use, declared here so the tests
/// need no forge-std (which would be fetched from GitHub).
interface Cheats {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function assume(bool condition) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit() external;
}

abstract contract CheatsUser {
    Cheats internal constant vm = Cheats(address(uint160(uint256(keccak256("hevm cheat code")))));
}
