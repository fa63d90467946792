// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EpochWeights} from "./EpochWeights.sol";

/// @title WeightRegistry
/// @notice Receives each epoch's finalized weight vector (u16 uids -> u16 weights), certified by > 2/3 of
/// the validators' power. uids and weights travel as packed big-endian u16 bytes (2 bytes per value, 16x
/// less calldata than uint16[]) and are stored as code of data contracts (SSTORE2: ~200 gas per byte
/// instead of ~690 with SSTORE); bench/chain.ts measures both layouts against WeightRegistryArrays.
contract WeightRegistry is EpochWeights {
    bytes32 private constant WEIGHTS_TYPEHASH = keccak256("Weights(uint64 epoch,bytes uids,bytes weights)");
    /// @dev Bytes per data contract: under the 24,576-byte code limit (EIP-170) with the STOP prefix, even.
    uint256 private constant CHUNK_BYTES = 24574;

    /// @dev epoch => data contracts: the uid chunks followed by as many weight chunks.
    mapping(uint64 => address[]) private _chunks;

    constructor(address[] memory validators, uint64[] memory powers) EpochWeights(validators, powers) {}

    function weightsDigest(uint64 epoch, bytes calldata uids, bytes calldata weights) public view returns (bytes32) {
        return _typedDigest(keccak256(abi.encode(WEIGHTS_TYPEHASH, epoch, keccak256(uids), keccak256(weights))));
    }

    /// @notice Store `epoch`'s matrix. `uids` and `weights` are packed big-endian u16; `signatures` are
    /// 65-byte r‖s‖v ECDSA signatures, in any order, over weightsDigest(epoch, uids, weights).
    function submitWeights(uint64 epoch, bytes calldata uids, bytes calldata weights, bytes calldata signatures)
        external
    {
        if (uids.length % 2 != 0) revert BadPackedLength(uids.length);
        if (weights.length != uids.length) revert LengthMismatch(uids.length, weights.length);
        _acceptEpoch(epoch, _chunks[epoch].length != 0, uids.length / 2);
        _checkAscending(uids);
        bytes32 digest = weightsDigest(epoch, uids, weights);
        uint256 signedPower = _requireQuorum(digest, signatures);
        address[] storage chunks = _chunks[epoch];
        _writeChunks(chunks, uids);
        _writeChunks(chunks, weights);
        emit WeightsSubmitted(epoch, uids.length / 2, signedPower, digest);
    }

    /// @notice The stored matrix of `epoch` as packed big-endian u16 bytes; reverts UnknownEpoch if none.
    function weightsOf(uint64 epoch) external view returns (bytes memory uids, bytes memory weights) {
        address[] storage chunks = _chunks[epoch];
        if (chunks.length == 0) revert UnknownEpoch(epoch);
        uint256 half = chunks.length / 2;
        uids = _readChunks(chunks, 0, half);
        weights = _readChunks(chunks, half, chunks.length);
    }

    function _checkAscending(bytes calldata uids) private pure {
        uint256 n = uids.length / 2;
        uint256 previous;
        for (uint256 i = 0; i < n; i++) {
            uint256 current;
            assembly {
                current := shr(240, calldataload(add(uids.offset, mul(i, 2))))
            }
            if (i != 0 && current <= previous) _uidOrderError(i, previous, current);
            previous = current;
        }
    }

    function _writeChunks(address[] storage chunks, bytes calldata data) private {
        for (uint256 start = 0; start < data.length; start += CHUNK_BYTES) {
            uint256 end = start + CHUNK_BYTES < data.length ? start + CHUNK_BYTES : data.length;
            chunks.push(_deployData(data[start:end]));
        }
    }

    /// @dev Deploys a contract whose code is 0x00 (STOP, so it cannot be called) followed by `data`.
    function _deployData(bytes calldata data) private returns (address pointer) {
        // init code: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN, then code.
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df300", data);
        assembly {
            pointer := create(0, add(init, 32), mload(init))
        }
        require(pointer != address(0), "data contract deployment failed");
    }

    function _readChunks(address[] storage chunks, uint256 from, uint256 to) private view returns (bytes memory out) {
        uint256 total = 0;
        for (uint256 i = from; i < to; i++) total += chunks[i].code.length - 1;
        out = new bytes(total);
        uint256 offset = 0;
        for (uint256 i = from; i < to; i++) {
            address pointer = chunks[i];
            uint256 size = pointer.code.length - 1;
            assembly {
                extcodecopy(pointer, add(add(out, 32), offset), 1, size)
            }
            offset += size;
        }
    }
}
