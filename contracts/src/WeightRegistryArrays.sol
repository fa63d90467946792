// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EpochWeights} from "./EpochWeights.sol";

/// @title WeightRegistryArrays
/// @notice The uint16[] layout of WeightRegistry (ABI arrays in calldata, Solidity storage arrays packed
/// 16 values per slot). Kept only so bench/chain.ts can compare its gas with the packed-bytes layout.
contract WeightRegistryArrays is EpochWeights {
    bytes32 private constant WEIGHTS_TYPEHASH = keccak256("Weights(uint64 epoch,uint16[] uids,uint16[] weights)");

    mapping(uint64 => uint16[]) private _uids;
    mapping(uint64 => uint16[]) private _weights;

    constructor(address[] memory validators, uint64[] memory powers) EpochWeights(validators, powers) {}

    function weightsDigest(uint64 epoch, uint16[] calldata uids, uint16[] calldata weights)
        public
        view
        returns (bytes32)
    {
        // EIP-712 array encoding: each element padded to 32 bytes, which abi.encodePacked does for arrays.
        return _typedDigest(
            keccak256(
                abi.encode(
                    WEIGHTS_TYPEHASH, epoch, keccak256(abi.encodePacked(uids)), keccak256(abi.encodePacked(weights))
                )
            )
        );
    }

    function submitWeights(uint64 epoch, uint16[] calldata uids, uint16[] calldata weights, bytes calldata signatures)
        external
    {
        if (weights.length != uids.length) revert LengthMismatch(uids.length, weights.length);
        _acceptEpoch(epoch, _uids[epoch].length != 0, uids.length);
        for (uint256 i = 1; i < uids.length; i++) {
            if (uids[i] <= uids[i - 1]) _uidOrderError(i, uids[i - 1], uids[i]);
        }
        bytes32 digest = weightsDigest(epoch, uids, weights);
        uint256 signedPower = _requireQuorum(digest, signatures);
        _uids[epoch] = uids;
        _weights[epoch] = weights;
        emit WeightsSubmitted(epoch, uids.length, signedPower, digest);
    }

    function weightsOf(uint64 epoch) external view returns (uint16[] memory uids, uint16[] memory weights) {
        if (_uids[epoch].length == 0) revert UnknownEpoch(epoch);
        return (_uids[epoch], _weights[epoch]);
    }
}
