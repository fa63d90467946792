// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MockNeuron
/// @notice Test double of Bittensor's Neuron precompile (0x…0804): records setWeights calls as events so
/// the adapter's calldata can be checked on the embedded EVM (installed there with hardhat_setCode).
contract MockNeuron {
    event WeightsSet(address indexed caller, uint16 netuid, uint16[] dests, uint16[] weights, uint64 versionKey);

    function setWeights(uint16 netuid, uint16[] calldata dests, uint16[] calldata weights, uint64 versionKey)
        external
        payable
    {
        emit WeightsSet(msg.sender, netuid, dests, weights, versionKey);
    }
}
