// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ValidatorQuorum} from "./ValidatorQuorum.sol";

/// @title EpochWeights
/// @notice Epoch bookkeeping shared by the weight registries: one certified matrix per epoch, epochs
/// strictly increasing, uids strictly ascending (so no duplicates) and as many weights as uids.
abstract contract EpochWeights is ValidatorQuorum {
    /// @notice The latest epoch with a stored matrix (meaningful only when epochCount > 0).
    uint64 public lastEpoch;
    /// @notice How many epochs have a stored matrix.
    uint64 public epochCount;

    error AlreadySubmitted(uint64 epoch);
    error StaleEpoch(uint64 epoch, uint64 lastEpoch);
    error UnknownEpoch(uint64 epoch);
    error EmptyMatrix();
    error BadPackedLength(uint256 length);
    error UidsNotAscending(uint256 index);
    error DuplicateUid(uint256 index);
    /// @dev The epoch was certified by a set that handed over before the held one: it is not held any more.
    error SetNotHeld(uint64 epoch, uint64 validatorSetEpoch);

    event WeightsSubmitted(uint64 indexed epoch, uint256 miners, uint256 signedPower, bytes32 digest);

    constructor(address[] memory validators, uint64[] memory powers) ValidatorQuorum(validators, powers) {}

    /// @dev A replay of a stored epoch and a stale epoch are told apart, so callers can be idempotent.
    function _acceptEpoch(uint64 epoch, bool stored, uint256 miners) internal {
        if (stored) revert AlreadySubmitted(epoch);
        if (epoch < validatorSetEpoch) revert SetNotHeld(epoch, validatorSetEpoch);
        if (epochCount != 0 && epoch <= lastEpoch) revert StaleEpoch(epoch, lastEpoch);
        if (miners == 0) revert EmptyMatrix();
        lastEpoch = epoch;
        epochCount += 1;
    }

    function _uidOrderError(uint256 index, uint256 previous, uint256 current) internal pure {
        if (current == previous) revert DuplicateUid(index);
        revert UidsNotAscending(index);
    }
}
