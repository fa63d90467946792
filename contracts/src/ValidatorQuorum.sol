// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ValidatorQuorum
/// @notice The validator set (EVM address + voting power) and the EIP-712 quorum check shared by the
/// weight registries: a value is accepted only with ECDSA signatures of distinct validators holding
/// strictly more than 2/3 of the total power. The set changes only by an update signed by such a quorum
/// of the outgoing set, naming the first epoch the new set certifies (the ledger's hand-over), so every
/// node signs the same update without reading the chain, and an update can never be replayed.
abstract contract ValidatorQuorum {
    /// @dev A 256-bit bitmap tracks who signed, so the set is capped at 256 validators.
    uint256 public constant MAX_VALIDATORS = 256;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant VALIDATOR_SET_TYPEHASH =
        keccak256("ValidatorSet(uint64 epoch,address[] validators,uint64[] powers)");
    bytes32 private constant NAME_HASH = keccak256("AgoraWeightRegistry");
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// @dev secp256k1 n / 2: signatures with a larger s are the malleable twin of a valid one.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address[] private _validators;
    /// @dev member => (power << 8) | index; a zero entry means "not a validator" (power is never zero).
    mapping(address => uint256) private _members;
    uint256 public totalPower;
    /// @notice The first epoch the held set certifies (0: the deployment set); updates must name a later one.
    uint64 public validatorSetEpoch;

    error NoValidators();
    error TooManyValidators(uint256 count, uint256 max);
    error ValidatorsNotAscending(uint256 index);
    error ZeroPower(uint256 index);
    error LengthMismatch(uint256 left, uint256 right);
    error BadSignaturesLength(uint256 length);
    error InvalidSignature(uint256 index);
    error NotValidator(address signer);
    error DuplicateSigner(address signer);
    error InsufficientPower(uint256 signedPower, uint256 totalPower);
    error StaleValidatorSet(uint64 epoch, uint64 validatorSetEpoch);

    event ValidatorSetUpdated(uint64 indexed epoch, uint256 count, uint256 totalPower);

    constructor(address[] memory validators, uint64[] memory powers) {
        _setValidators(validators, powers);
    }

    /// @notice The current validator set, in ascending address order, with voting powers.
    function validatorSet() external view returns (address[] memory validators, uint64[] memory powers) {
        validators = _validators;
        powers = new uint64[](validators.length);
        for (uint256 i = 0; i < validators.length; i++) powers[i] = uint64(_members[validators[i]] >> 8);
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function validatorSetDigest(uint64 epoch, address[] calldata validators, uint64[] calldata powers)
        public
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                VALIDATOR_SET_TYPEHASH,
                epoch,
                keccak256(abi.encodePacked(validators)),
                keccak256(abi.encodePacked(powers))
            )
        );
        return _typedDigest(structHash);
    }

    /// @notice From `epoch` on, `validators` certify; `signatures` (65-byte r‖s‖v each, any order) must come
    /// from > 2/3 of the current power over ValidatorSet(epoch, validators, powers), epoch > validatorSetEpoch.
    function updateValidatorSet(uint64 epoch, address[] calldata validators, uint64[] calldata powers, bytes calldata signatures)
        external
    {
        if (epoch <= validatorSetEpoch) revert StaleValidatorSet(epoch, validatorSetEpoch);
        _requireQuorum(validatorSetDigest(epoch, validators, powers), signatures);
        address[] memory old = _validators;
        for (uint256 i = 0; i < old.length; i++) delete _members[old[i]];
        validatorSetEpoch = epoch;
        _setValidators(validators, powers);
    }

    function _typedDigest(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    function _setValidators(address[] memory validators, uint64[] memory powers) private {
        uint256 n = validators.length;
        if (n == 0) revert NoValidators();
        if (n > MAX_VALIDATORS) revert TooManyValidators(n, MAX_VALIDATORS);
        if (powers.length != n) revert LengthMismatch(n, powers.length);
        uint256 total = 0;
        address previous = address(0);
        for (uint256 i = 0; i < n; i++) {
            // Strictly ascending addresses: no duplicates and no zero address, checked in one comparison.
            if (validators[i] <= previous) revert ValidatorsNotAscending(i);
            if (powers[i] == 0) revert ZeroPower(i);
            previous = validators[i];
            _members[validators[i]] = (uint256(powers[i]) << 8) | i;
            total += powers[i];
        }
        _validators = validators;
        totalPower = total;
        emit ValidatorSetUpdated(validatorSetEpoch, n, total);
    }

    /// @dev Reverts unless distinct current validators holding > 2/3 of the power signed `digest`.
    function _requireQuorum(bytes32 digest, bytes calldata signatures) internal view returns (uint256 signedPower) {
        if (signatures.length % 65 != 0) revert BadSignaturesLength(signatures.length);
        uint256 count = signatures.length / 65;
        uint256 seen = 0;
        for (uint256 i = 0; i < count; i++) {
            uint256 o = i * 65;
            bytes32 r = bytes32(signatures[o:o + 32]);
            bytes32 s = bytes32(signatures[o + 32:o + 64]);
            uint8 v = uint8(signatures[o + 64]);
            if (uint256(s) > HALF_CURVE_ORDER || (v != 27 && v != 28)) revert InvalidSignature(i);
            address signer = ecrecover(digest, v, r, s);
            if (signer == address(0)) revert InvalidSignature(i);
            uint256 member = _members[signer];
            if (member == 0) revert NotValidator(signer);
            uint256 bit = 1 << (member & 0xff);
            if (seen & bit != 0) revert DuplicateSigner(signer);
            seen |= bit;
            signedPower += member >> 8;
        }
        // Power, not heads: exactly 2/3 is not enough.
        if (signedPower * 3 <= totalPower * 2) revert InsufficientPower(signedPower, totalPower);
    }
}
