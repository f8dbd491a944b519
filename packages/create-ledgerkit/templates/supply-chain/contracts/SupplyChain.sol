// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Supply-chain provenance with two-step custody transfer
/// @notice Each asset has one custodian. Custody moves only when the custodian offers it
/// and the receiver accepts before the offer expires. Documents stay off chain: the
/// contract keeps their hashes, and the full provenance is rebuilt from the events.
/// A batch of temperature-sensitive goods may carry a maximum temperature: a checkpoint above
/// it flags the batch for good. A retailer holding the batch receives it, which makes it final:
/// no more offers, checkpoints or receipts.
/// @dev Storage layout is part of the interface: verifiers prove `_assets[id].custodian`
/// (slot 1 mapping) with eth_getProof. Do not reorder the state variables; new struct fields
/// go after the existing ones so that the first slot keeps its packing.
contract SupplyChain is AccessControl {
    bytes32 public constant MANUFACTURER_ROLE = keccak256("MANUFACTURER_ROLE");
    bytes32 public constant CARRIER_ROLE = keccak256("CARRIER_ROLE");
    bytes32 public constant RETAILER_ROLE = keccak256("RETAILER_ROLE");
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    /// @dev First slot packs custodian, registration time and checkpoint count (32 bytes);
    /// product and document hash take one slot each; the fourth slot packs the temperature
    /// limit and the two flags (4 bytes).
    struct Asset {
        address custodian;
        uint64 registeredAt;
        uint32 checkpointCount;
        bytes32 product;
        bytes32 documentHash;
        int16 maxTemperatureCentiCelsius;
        bool flagged;
        bool received;
    }

    /// @notice The limit of an asset registered without one: no checkpoint can exceed it.
    int16 public constant NO_TEMPERATURE_LIMIT = type(int16).max;

    /// @dev One slot: receiver and expiry.
    struct Offer {
        address to;
        uint64 expiresAt;
    }

    mapping(bytes32 assetId => Asset) private _assets;
    mapping(bytes32 assetId => Offer) private _offers;

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

    error ZeroAssetId();
    error ZeroAddress();
    error AssetAlreadyRegistered(bytes32 assetId);
    error AssetNotFound(bytes32 assetId);
    error NotCustodian(bytes32 assetId, address caller);
    error InvalidReceiver(bytes32 assetId, address receiver);
    error ExpiryNotInFuture(uint64 expiresAt, uint64 now_);
    error NoPendingOffer(bytes32 assetId);
    error NotOfferedTo(bytes32 assetId, address caller);
    error OfferExpired(bytes32 assetId, uint64 expiresAt);
    error AssetIsFinal(bytes32 assetId);

    /// @param admin receives DEFAULT_ADMIN_ROLE and grants the other roles
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Registers a new asset with the caller as its first custodian, without a
    /// temperature limit.
    function registerAsset(bytes32 assetId, bytes32 product, bytes32 documentHash)
        external
        onlyRole(MANUFACTURER_ROLE)
    {
        _register(assetId, product, documentHash, NO_TEMPERATURE_LIMIT);
    }

    /// @notice Registers a new batch with the caller as its first custodian and the highest
    /// temperature its goods may see; a checkpoint above it flags the batch.
    function registerBatch(bytes32 assetId, bytes32 product, bytes32 documentHash, int16 maxTemperatureCentiCelsius)
        external
        onlyRole(MANUFACTURER_ROLE)
    {
        _register(assetId, product, documentHash, maxTemperatureCentiCelsius);
        emit TemperatureLimitSet(assetId, maxTemperatureCentiCelsius);
    }

    /// @notice Offers custody to `to` until `expiresAt` (unix seconds); replaces a pending offer.
    function offerCustody(bytes32 assetId, address to, uint64 expiresAt) external {
        _requireCustodian(assetId);
        if (to == msg.sender || !_isParticipant(to)) revert InvalidReceiver(assetId, to);
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(expiresAt, uint64(block.timestamp));
        _offers[assetId] = Offer({to: to, expiresAt: expiresAt});
        emit CustodyOffered(assetId, msg.sender, to, expiresAt);
    }

    /// @notice Withdraws the pending offer (also an expired one).
    function cancelOffer(bytes32 assetId) external {
        _requireCustodian(assetId);
        address to = _offers[assetId].to;
        if (to == address(0)) revert NoPendingOffer(assetId);
        delete _offers[assetId];
        emit CustodyOfferCancelled(assetId, msg.sender, to);
    }

    /// @notice Accepts a pending, unexpired offer made to the caller.
    function acceptCustody(bytes32 assetId) external {
        Offer memory offer = _offers[assetId];
        if (offer.to == address(0)) revert NoPendingOffer(assetId);
        if (offer.to != msg.sender) revert NotOfferedTo(assetId, msg.sender);
        if (block.timestamp > offer.expiresAt) revert OfferExpired(assetId, offer.expiresAt);
        // A role revoked after the offer was made must not be able to take custody.
        if (!_isParticipant(msg.sender)) revert InvalidReceiver(assetId, msg.sender);
        Asset storage asset = _assets[assetId];
        address from = asset.custodian;
        asset.custodian = msg.sender;
        delete _offers[assetId];
        emit CustodyTransferred(assetId, from, msg.sender);
    }

    /// @notice Records where the asset is, its temperature and a document, by its custodian.
    function recordCheckpoint(
        bytes32 assetId,
        bytes32 locationCode,
        int16 temperatureCentiCelsius,
        bytes32 documentHash
    ) external {
        Asset storage asset = _requireCustodian(assetId);
        uint32 sequence = asset.checkpointCount;
        asset.checkpointCount = sequence + 1;
        emit CheckpointRecorded(assetId, msg.sender, sequence, locationCode, temperatureCentiCelsius, documentHash);
        int16 limit = asset.maxTemperatureCentiCelsius;
        if (temperatureCentiCelsius > limit) {
            // Once flagged, always flagged: a later cool reading does not undo an excursion.
            asset.flagged = true;
            emit TemperatureExcursion(assetId, sequence, temperatureCentiCelsius, limit);
        }
    }

    /// @notice The custodian, a retailer, takes final delivery: the asset accepts no more
    /// offers, checkpoints or receipts, and a pending offer is withdrawn.
    function receiveAsset(bytes32 assetId) external onlyRole(RETAILER_ROLE) {
        Asset storage asset = _requireCustodian(assetId);
        asset.received = true;
        delete _offers[assetId];
        emit AssetReceived(assetId, msg.sender);
    }

    /// @notice The asset's current state; reverts with AssetNotFound for an unknown id.
    function getAsset(bytes32 assetId) external view returns (Asset memory) {
        Asset memory asset = _assets[assetId];
        if (asset.custodian == address(0)) revert AssetNotFound(assetId);
        return asset;
    }

    /// @notice The pending offer, or a zero receiver when there is none.
    function getOffer(bytes32 assetId) external view returns (Offer memory) {
        return _offers[assetId];
    }

    function _register(bytes32 assetId, bytes32 product, bytes32 documentHash, int16 maxTemperatureCentiCelsius)
        private
    {
        if (assetId == bytes32(0)) revert ZeroAssetId();
        Asset storage asset = _assets[assetId];
        if (asset.custodian != address(0)) revert AssetAlreadyRegistered(assetId);
        asset.custodian = msg.sender;
        asset.registeredAt = uint64(block.timestamp);
        asset.product = product;
        asset.documentHash = documentHash;
        asset.maxTemperatureCentiCelsius = maxTemperatureCentiCelsius;
        emit AssetRegistered(assetId, msg.sender, product, documentHash);
    }

    /// @dev A received asset is final for everyone, its custodian included, so that check comes
    /// before the custodian check.
    function _requireCustodian(bytes32 assetId) private view returns (Asset storage asset) {
        asset = _assets[assetId];
        address custodian = asset.custodian;
        if (custodian == address(0)) revert AssetNotFound(assetId);
        if (asset.received) revert AssetIsFinal(assetId);
        if (custodian != msg.sender) revert NotCustodian(assetId, msg.sender);
    }

    function _isParticipant(address account) private view returns (bool) {
        return hasRole(CARRIER_ROLE, account) || hasRole(RETAILER_ROLE, account)
            || hasRole(MANUFACTURER_ROLE, account);
    }
}
