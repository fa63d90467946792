// Limits of the node's workflow, named in one place with the reason for each (TigerBeetle's constants):
// what a proposal, the mempool, the consensus buffer and the parsig store may hold. Relations between
// them and the network's caps are asserted at load, so a change that breaks one fails at once.
import { assert } from '../../core/errors.ts'
import { DEFAULT_TOPIC_SIZE_CAP, MAX_FRAME_BYTES, Topic } from '../infra/p2p/constants.ts'
import { MAX_REPORTS_PER_BATCH, MAX_TX_BYTES } from '../../ledger/txs.ts'

const KiB = 1024
const MiB = 1024 * KiB

// ---- proposals --------------------------------------------------------------------------------
/**
 * Largest encoded block a proposer builds and a validator votes for. The block travels inside a
 * consensus message (with a justification of up to a quorum of votes and a gossip envelope) and inside
 * a sync frame (with its commit certificate), so it must leave room for both under their caps.
 */
// 128 KiB, not the 512 the caps would allow: a proposal is sent, checked and applied by every validator
// within a round (1 s at the default slot). Measured (`npm run bench -- node --costs-only`, cases
// proposal-cost-*KiB, 4.2 KB posts, loaded 2-core machine): 128 KiB costs ~25 ms to apply with its root
// and ~45 ms more if the validator saw none of its txs before (29 ed25519 verifications); 512 KiB costs
// ~60 + ~390 ms, half a round. Throughput is bounded upstream anyway: fresh keys get 256 fee-waived txs
// per epoch (mempool-policy.ts), ~1.1 MiB of fat posts, which 128 KiB blocks carry in 9 slots.
export const MAX_PROPOSAL_BYTES = 128 * KiB
/** Room kept for what wraps a block: envelope, QBFT vote and justification, or a commit certificate. */
export const PROPOSAL_WRAPPER_BYTES = 256 * KiB
/** Bytes of a block besides its transactions (header fields and the array head), with ample room. */
export const PROPOSAL_HEADER_BYTES = 1 * KiB
/** What `mempool.select({ maxBytes })` is given by the proposer. */
export const PROPOSAL_TX_BYTES = MAX_PROPOSAL_BYTES - PROPOSAL_HEADER_BYTES
/** Most transactions in one proposal (bounds the per-block verification work besides its bytes). */
export const MAX_PROPOSAL_TXS = 2_000
assert(MAX_PROPOSAL_BYTES + PROPOSAL_WRAPPER_BYTES < DEFAULT_TOPIC_SIZE_CAP[Topic.consensus], 'a proposal fits a consensus gossip message')
assert(MAX_PROPOSAL_BYTES + PROPOSAL_WRAPPER_BYTES < MAX_FRAME_BYTES, 'a proposal fits one sync frame')

// ---- mempool ----------------------------------------------------------------------------------
/** Outsiders' transactions waiting: a few blocks' worth, so a burst queues instead of being lost. */
export const MEMPOOL_MAX_TXS = 20_000
/** Bytes of outsiders' transactions waiting (~16 full proposals). */
export const MEMPOOL_MAX_BYTES = 8 * MiB
/** One sender's share of the outsider lane: a single key cannot crowd out the others. */
export const MEMPOOL_MAX_TXS_PER_SENDER = 64
export const MEMPOOL_MAX_BYTES_PER_SENDER = 256 * KiB
/**
 * The duty lane (our own and the validators' evaluations, votes and evidence) has its own budget that
 * outsiders cannot touch, so spam never delays the work that makes scores final.
 */
export const MEMPOOL_DUTY_MAX_TXS = 4_000
export const MEMPOOL_DUTY_MAX_BYTES = 4 * MiB
assert(MEMPOOL_MAX_BYTES >= 4 * MAX_PROPOSAL_BYTES, 'the mempool holds several proposals')
assert(MEMPOOL_MAX_BYTES_PER_SENDER < MEMPOOL_MAX_BYTES, 'one sender cannot fill the mempool')

// ---- consensus buffer -------------------------------------------------------------------------
/**
 * Verified messages for heights ahead of ours are kept only this far ahead: they start the next instance
 * at once; further ahead we are behind and sync instead of buffering.
 */
export const CONSENSUS_BUFFER_HEIGHTS = 8
/** Buffered messages per (height, signer): a round's votes plus a round change or two. */
export const CONSENSUS_BUFFER_PER_SIGNER = 16
/** Buffered messages in all (a safety net above heights × validators × per-signer for small sets). */
export const CONSENSUS_BUFFER_MAX = 4_096

// ---- partial signatures -----------------------------------------------------------------------
/** Epochs behind the current one whose partial signatures we still take (late certifications). */
export const PARSIG_EPOCHS_BEHIND = 4
/** Epochs ahead of ours we take (a peer whose epoch just closed before ours). */
export const PARSIG_EPOCHS_AHEAD = 1

// ---- liveness ---------------------------------------------------------------------------------
/** Slots without a decided block after which /readyz says "behind" (a few missed proposers). */
export const BEHIND_SLOTS = 4
/**
 * Slots without a decided block, while caught up and connected, after which /livez fails: the network
 * (or this node's view of it) is stalled and a restart is the supervisor's remedy.
 */
export const STALL_SLOTS = 32
assert(STALL_SLOTS > BEHIND_SLOTS, 'a node is not-ready well before it is declared stalled')

// ---- own evaluation batches -------------------------------------------------------------------
/**
 * Upper bound of one encoded report (three 32-byte hex strings, a score, fuel as a decimal string,
 * a flag and the CBOR keys: ~270 B in practice). A commit (two hex strings) is smaller.
 */
export const MAX_REPORT_BYTES = 320
/** Bytes of an Evaluations tx besides its commits and reports (type, sender, nonce, array heads). */
export const EVALUATIONS_TX_OVERHEAD_BYTES = 1 * KiB
/** Commits + reports per Evaluations transaction this node signs. */
export const EVALUATIONS_PER_TX = 160
assert(EVALUATIONS_PER_TX * MAX_REPORT_BYTES + EVALUATIONS_TX_OVERHEAD_BYTES < MAX_TX_BYTES, 'a full evaluations batch fits one transaction')
assert(EVALUATIONS_PER_TX <= MAX_REPORTS_PER_BATCH, 'a batch is within the ledger\'s per-tx report cap')
