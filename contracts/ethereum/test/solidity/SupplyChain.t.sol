// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SupplyChain} from "../../contracts/SupplyChain.sol";
import {CheatsUser} from "./Cheats.sol";

contract SupplyChainTest is CheatsUser {
    SupplyChain internal chain;
    address internal constant ADMIN = address(0xAD);
    address internal constant MAKER = address(0xA1);
    address internal constant CARRIER = address(0xC1);
    address internal constant RETAILER = address(0xB1);
    address internal constant AUDITOR = address(0xD1);
    address internal constant STRANGER = address(0xE1);
    bytes32 internal constant ASSET = keccak256("asset-1");
    bytes32 internal constant PRODUCT = keccak256("vaccine-lot-7");
    bytes32 internal constant DOC = keccak256("bill-of-lading");

    event AssetRegistered(
        bytes32 indexed assetId, address indexed manufacturer, bytes32 product, bytes32 documentHash
    );
    event CustodyOffered(bytes32 indexed assetId, address indexed from, address indexed to, uint64 expiresAt);
    event CustodyOfferCancelled(bytes32 indexed assetId, address indexed from, address indexed to);
    event CustodyTransferred(bytes32 indexed assetId, address indexed from, address indexed to);
    event CheckpointRecorded(
        bytes32 indexed assetId,
        address indexed custodian,
        uint32 sequence,
        bytes32 locationCode,
        int16 temperatureCentiCelsius,
        bytes32 documentHash
    );

    event TemperatureLimitSet(bytes32 indexed assetId, int16 maxTemperatureCentiCelsius);
    event TemperatureExcursion(
        bytes32 indexed assetId, uint32 sequence, int16 temperatureCentiCelsius, int16 maxTemperatureCentiCelsius
    );
    event AssetReceived(bytes32 indexed assetId, address indexed retailer);

    function setUp() public {
        vm.warp(1_700_000_000);
        chain = new SupplyChain(ADMIN);
        vm.startPrank(ADMIN);
        chain.grantRole(chain.MANUFACTURER_ROLE(), MAKER);
        chain.grantRole(chain.CARRIER_ROLE(), CARRIER);
        chain.grantRole(chain.RETAILER_ROLE(), RETAILER);
        chain.grantRole(chain.AUDITOR_ROLE(), AUDITOR);
        vm.stopPrank();
    }

    function _register() internal {
        vm.prank(MAKER);
        chain.registerAsset(ASSET, PRODUCT, DOC);
    }

    function _offer(address from, address to) internal {
        vm.prank(from);
        chain.offerCustody(ASSET, to, uint64(block.timestamp + 1 days));
    }

    function test_ConstructorRejectsZeroAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.ZeroAddress.selector));
        new SupplyChain(address(0));
    }

    function test_RegisterStoresHashesAndCustodian() public {
        vm.expectEmit();
        emit AssetRegistered(ASSET, MAKER, PRODUCT, DOC);
        _register();
        SupplyChain.Asset memory asset = chain.getAsset(ASSET);
        require(asset.custodian == MAKER, "custodian");
        require(asset.product == PRODUCT && asset.documentHash == DOC, "hashes");
        require(asset.registeredAt == block.timestamp && asset.checkpointCount == 0, "metadata");
    }

    function test_RegisterRequiresManufacturerRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, CARRIER, chain.MANUFACTURER_ROLE()
            )
        );
        vm.prank(CARRIER);
        chain.registerAsset(ASSET, PRODUCT, DOC);
    }

    function test_RegisterRejectsZeroId() public {
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.ZeroAssetId.selector));
        vm.prank(MAKER);
        chain.registerAsset(bytes32(0), PRODUCT, DOC);
    }

    function test_RegisterRejectsDuplicate() public {
        _register();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.AssetAlreadyRegistered.selector, ASSET));
        vm.prank(MAKER);
        chain.registerAsset(ASSET, PRODUCT, DOC);
    }

    function test_GetAssetRejectsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.AssetNotFound.selector, ASSET));
        chain.getAsset(ASSET);
    }

    function test_TwoStepTransferMovesCustody() public {
        _register();
        vm.expectEmit();
        emit CustodyOffered(ASSET, MAKER, CARRIER, uint64(block.timestamp + 1 days));
        _offer(MAKER, CARRIER);
        require(chain.getAsset(ASSET).custodian == MAKER, "custody moves only on accept");
        vm.expectEmit();
        emit CustodyTransferred(ASSET, MAKER, CARRIER);
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
        require(chain.getAsset(ASSET).custodian == CARRIER, "custodian");
        require(chain.getOffer(ASSET).to == address(0), "offer cleared");
    }

    function test_OfferRequiresExistingAsset() public {
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.AssetNotFound.selector, ASSET));
        _offer(MAKER, CARRIER);
    }

    function test_OfferRequiresCustodian() public {
        _register();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotCustodian.selector, ASSET, CARRIER));
        _offer(CARRIER, RETAILER);
    }

    function test_OfferRejectsSelfZeroAndOutsiders() public {
        _register();
        address[3] memory receivers = [MAKER, address(0), AUDITOR];
        for (uint256 i = 0; i < receivers.length; i++) {
            vm.expectRevert(abi.encodeWithSelector(SupplyChain.InvalidReceiver.selector, ASSET, receivers[i]));
            _offer(MAKER, receivers[i]);
        }
    }

    function test_OfferRejectsPastExpiry() public {
        _register();
        uint64 nowSeconds = uint64(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.ExpiryNotInFuture.selector, nowSeconds, nowSeconds));
        vm.prank(MAKER);
        chain.offerCustody(ASSET, CARRIER, nowSeconds);
    }

    function test_NewOfferReplacesPendingOne() public {
        _register();
        _offer(MAKER, CARRIER);
        _offer(MAKER, RETAILER);
        require(chain.getOffer(ASSET).to == RETAILER, "replaced");
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotOfferedTo.selector, ASSET, CARRIER));
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
    }

    function test_CancelOfferClearsIt() public {
        _register();
        _offer(MAKER, CARRIER);
        vm.expectEmit();
        emit CustodyOfferCancelled(ASSET, MAKER, CARRIER);
        vm.prank(MAKER);
        chain.cancelOffer(ASSET);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NoPendingOffer.selector, ASSET));
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
    }

    function test_CancelRequiresPendingOffer() public {
        _register();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NoPendingOffer.selector, ASSET));
        vm.prank(MAKER);
        chain.cancelOffer(ASSET);
    }

    function test_CancelRequiresCustodian() public {
        _register();
        _offer(MAKER, CARRIER);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotCustodian.selector, ASSET, CARRIER));
        vm.prank(CARRIER);
        chain.cancelOffer(ASSET);
    }

    function test_AcceptRejectsExpiredOffer() public {
        _register();
        _offer(MAKER, CARRIER);
        uint64 expiresAt = chain.getOffer(ASSET).expiresAt;
        vm.warp(expiresAt + 1);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.OfferExpired.selector, ASSET, expiresAt));
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
        // An expired offer can still be withdrawn.
        vm.prank(MAKER);
        chain.cancelOffer(ASSET);
    }

    function test_AcceptRejectsReceiverWhoseRoleWasRevoked() public {
        _register();
        _offer(MAKER, CARRIER);
        vm.startPrank(ADMIN);
        chain.revokeRole(chain.CARRIER_ROLE(), CARRIER);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.InvalidReceiver.selector, ASSET, CARRIER));
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
    }

    function test_CheckpointsAreNumberedPerAsset() public {
        _register();
        vm.expectEmit();
        emit CheckpointRecorded(ASSET, MAKER, 0, "DE-HAM", -1850, DOC);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", -1850, DOC);
        vm.expectEmit();
        emit CheckpointRecorded(ASSET, MAKER, 1, "NL-RTM", 420, DOC);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "NL-RTM", 420, DOC);
        require(chain.getAsset(ASSET).checkpointCount == 2, "count");
    }

    function test_CheckpointRequiresCustodian() public {
        _register();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotCustodian.selector, ASSET, CARRIER));
        vm.prank(CARRIER);
        chain.recordCheckpoint(ASSET, "DE-HAM", 0, DOC);
    }

    function test_CheckpointRequiresExistingAsset() public {
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.AssetNotFound.selector, ASSET));
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", 0, DOC);
    }

    function test_RolesAreDistinct() public view {
        bytes32[5] memory roles = [
            chain.DEFAULT_ADMIN_ROLE(),
            chain.MANUFACTURER_ROLE(),
            chain.CARRIER_ROLE(),
            chain.RETAILER_ROLE(),
            chain.AUDITOR_ROLE()
        ];
        for (uint256 i = 0; i < roles.length; i++) {
            for (uint256 j = i + 1; j < roles.length; j++) {
                require(roles[i] != roles[j], "roles collide");
            }
        }
        require(chain.hasRole(chain.AUDITOR_ROLE(), AUDITOR), "auditor");
    }

    function testFuzz_RegisterAnyNonZeroId(bytes32 assetId, bytes32 product, bytes32 documentHash) public {
        vm.assume(assetId != bytes32(0));
        vm.prank(MAKER);
        chain.registerAsset(assetId, product, documentHash);
        SupplyChain.Asset memory asset = chain.getAsset(assetId);
        require(asset.custodian == MAKER && asset.product == product && asset.documentHash == documentHash, "stored");
    }

    function testFuzz_AcceptWorksUntilExpiryInclusive(uint64 lifetime, uint64 wait) public {
        vm.assume(lifetime > 0 && lifetime < 10 * 365 days && wait <= lifetime);
        _register();
        uint64 expiresAt = uint64(block.timestamp) + lifetime;
        vm.prank(MAKER);
        chain.offerCustody(ASSET, CARRIER, expiresAt);
        vm.warp(block.timestamp + wait);
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
        require(chain.getAsset(ASSET).custodian == CARRIER, "accepted");
    }

    function testFuzz_OnlyCustodianRecordsCheckpoints(address caller, int16 temperature, bytes32 location) public {
        vm.assume(caller != MAKER);
        _register();
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotCustodian.selector, ASSET, caller));
        vm.prank(caller);
        chain.recordCheckpoint(ASSET, location, temperature, DOC);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, location, temperature, DOC);
    }

    function testFuzz_OnlyTheReceiverAccepts(address caller) public {
        vm.assume(caller != CARRIER);
        _register();
        _offer(MAKER, CARRIER);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotOfferedTo.selector, ASSET, caller));
        vm.prank(caller);
        chain.acceptCustody(ASSET);
    }

    function testFuzz_CustodyChainKeepsOneCustodian(uint8 hops) public {
        _register();
        address[3] memory parties = [MAKER, CARRIER, RETAILER];
        address current = MAKER;
        for (uint256 i = 1; i <= hops % 12; i++) {
            address next = parties[i % 3];
            if (next == current) next = parties[(i + 1) % 3];
            _offer(current, next);
            vm.prank(next);
            chain.acceptCustody(ASSET);
            current = next;
        }
        require(chain.getAsset(ASSET).custodian == current, "single custodian");
    }

    function _registerBatch(int16 limit) internal {
        vm.prank(MAKER);
        chain.registerBatch(ASSET, PRODUCT, DOC, limit);
    }

    /// Maker -> carrier -> retailer, who then holds the asset.
    function _deliverToRetailer() internal {
        _offer(MAKER, CARRIER);
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
        _offer(CARRIER, RETAILER);
        vm.prank(RETAILER);
        chain.acceptCustody(ASSET);
    }

    function test_RegisterAssetHasNoTemperatureLimit() public {
        _register();
        SupplyChain.Asset memory asset = chain.getAsset(ASSET);
        require(asset.maxTemperatureCentiCelsius == chain.NO_TEMPERATURE_LIMIT(), "no limit");
        require(!asset.flagged && !asset.received, "fresh");
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", type(int16).max, DOC);
        require(!chain.getAsset(ASSET).flagged, "nothing exceeds no limit");
    }

    function test_RegisterBatchStoresTheLimit() public {
        vm.expectEmit();
        emit AssetRegistered(ASSET, MAKER, PRODUCT, DOC);
        vm.expectEmit();
        emit TemperatureLimitSet(ASSET, 800);
        _registerBatch(800);
        SupplyChain.Asset memory asset = chain.getAsset(ASSET);
        require(asset.maxTemperatureCentiCelsius == 800 && asset.custodian == MAKER, "stored");
    }

    function test_RegisterBatchRequiresManufacturerRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, CARRIER, chain.MANUFACTURER_ROLE()
            )
        );
        vm.prank(CARRIER);
        chain.registerBatch(ASSET, PRODUCT, DOC, 800);
    }

    function test_CheckpointAboveTheLimitFlagsForGood() public {
        _registerBatch(800);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", 800, DOC);
        require(!chain.getAsset(ASSET).flagged, "at the limit is fine");
        vm.expectEmit();
        emit TemperatureExcursion(ASSET, 1, 801, 800);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", 801, DOC);
        require(chain.getAsset(ASSET).flagged, "flagged");
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "NL-RTM", 400, DOC);
        require(chain.getAsset(ASSET).flagged, "still flagged");
    }

    function test_RetailerReceivesAndTheAssetIsFinal() public {
        _registerBatch(800);
        _deliverToRetailer();
        vm.expectEmit();
        emit AssetReceived(ASSET, RETAILER);
        vm.prank(RETAILER);
        chain.receiveAsset(ASSET);
        require(chain.getAsset(ASSET).received, "received");
        bytes memory finalError = abi.encodeWithSelector(SupplyChain.AssetIsFinal.selector, ASSET);
        vm.expectRevert(finalError);
        vm.prank(RETAILER);
        chain.receiveAsset(ASSET);
        vm.expectRevert(finalError);
        vm.prank(RETAILER);
        chain.recordCheckpoint(ASSET, "FR-PAR", 300, DOC);
        vm.expectRevert(finalError);
        _offer(RETAILER, CARRIER);
        vm.expectRevert(finalError);
        vm.prank(CARRIER);
        chain.recordCheckpoint(ASSET, "FR-PAR", 300, DOC);
    }

    function test_ReceiveWithdrawsAPendingOffer() public {
        _registerBatch(800);
        _deliverToRetailer();
        _offer(RETAILER, CARRIER);
        vm.prank(RETAILER);
        chain.receiveAsset(ASSET);
        require(chain.getOffer(ASSET).to == address(0), "offer withdrawn");
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NoPendingOffer.selector, ASSET));
        vm.prank(CARRIER);
        chain.acceptCustody(ASSET);
    }

    function test_ReceiveRequiresRetailerRoleAndCustody() public {
        _registerBatch(800);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, MAKER, chain.RETAILER_ROLE()
            )
        );
        vm.prank(MAKER);
        chain.receiveAsset(ASSET);
        vm.expectRevert(abi.encodeWithSelector(SupplyChain.NotCustodian.selector, ASSET, RETAILER));
        vm.prank(RETAILER);
        chain.receiveAsset(ASSET);
    }

    function testFuzz_FlaggedExactlyWhenAReadingExceedsTheLimit(int16 limit, int16 reading) public {
        _registerBatch(limit);
        vm.prank(MAKER);
        chain.recordCheckpoint(ASSET, "DE-HAM", reading, DOC);
        require(chain.getAsset(ASSET).flagged == (reading > limit), "flag");
    }
}
