// The node's GraphQL schema (SDL), documented in place so GraphiQL shows it. Conventions: amounts are
// decimal REP strings ("12.5"), hashes and keys 0x-hex, ids strings; every top-level list is a page
// `{ items, nextCursor, total }` taken with `first` (capped by the server) and `after` (a cursor).
export const typeDefs = /* GraphQL */ `
"""A client-signed transaction: canonical DAG-CBOR body (names its type, sender and nonce), signed with
the sender's ed25519 key in the \`transaction\` signing domain."""
input SignedTxInput {
  "base64 of the canonical CBOR body."
  body: String!
  "0x-hex ed25519 public key of the sender (its peer id must equal body.sender)."
  publicKey: String!
  "0x-hex ed25519 signature over the body in Domain.transaction."
  signature: String!
}

"What the node did with an accepted transaction: it is in the mempool and gossiped; it takes effect when a block includes it."
type TxReceipt {
  "Id the node gives the transaction (hash of the signed transaction)."
  txId: ID!
  "The body's type, e.g. Submission, Post, Stake."
  type: String!
  "The member that signed it."
  sender: String!
}

"This node: identity, chain position and sync state."
type NodeInfo {
  peerId: String!
  evmAddress: String!
  networkId: String!
  "Height of the last decided block."
  height: Int!
  slot: Int!
  epoch: Int!
  "0x-hex state root after the last decided block."
  stateRoot: String!
  "Peer ids this node is connected to."
  peers: [String!]!
  "True when the node has caught up with the network."
  synced: Boolean!
  lastCertifiedEpoch: Int
  "Hex seed of the current epoch's challenge instances (the hash of the last block of the previous epoch)."
  epochSeed: String!
  "Transactions waiting in this node's mempool (accepted, not yet in a decided block)."
  mempoolSize: Int!
}

"A decided block."
type Block {
  height: Int!
  slot: Int!
  epoch: Int!
  hash: String!
  prevHash: String!
  "State root before this block (the previous block's result)."
  prevStateRoot: String!
  "State root after applying this block."
  stateRoot: String!
  "Peer id of the validator that proposed it."
  proposer: String!
  txCount: Int!
  "Validators whose commit signatures certify the block."
  certificateSigners: [String!]!
}
type BlockPage { items: [Block!]!, nextCursor: String, total: Int! }

"A validator of the current epoch and its voting power (its availability stake)."
type Validator {
  peerId: String!
  evmAddress: String!
  "Voting power in REP."
  power: String!
  "Share of total power in parts per million."
  powerPpm: Int!
  blsPublicKey: String!
}
type ValidatorPage { items: [Validator!]!, nextCursor: String, total: Int! }

"A member's REP (balance = locked + free) and its fee credits (pool, business and transaction fees are paid in credits, not REP)."
type Balance { member: String!, balance: String!, locked: String!, free: String!, credits: String! }
type BalancePage { items: [Balance!]!, nextCursor: String, total: Int! }

type Author { member: String!, weightPpm: Int! }
"A citation from a post: weight in PPM in [-1e6, 1e6] (negative citations leach value)."
type Citation {
  "Id of the cited post."
  post: String!
  weightPpm: Int!
  "The cited post, if this node knows it."
  target: Post
}
"A forum post with its authors, citations and current value."
type Post {
  id: String!
  authors: [Author!]!
  citations: [Citation!]!
  "Value in REP awarded to the post so far."
  value: String!
  "Content id or inline text of the post body."
  content: String!
  createdSlot: Int!
}
type PostPage { items: [Post!]!, nextCursor: String, total: Int! }

type PoolStake { member: String!, amount: String!, inFavor: Boolean! }
"A validation pool on a post: stakes for and against, and its outcome once resolved."
type Pool {
  id: String!
  "Id of the post the pool validates."
  post: String!
  "The post itself, if this node knows it."
  target: Post
  fee: String!
  startSlot: Int!
  "The pool is open until both its end slot and its end height are reached."
  endSlot: Int!
  "Height of the block that opened the pool."
  startHeight: Int!
  "startHeight + duration: the pool stays open until a block at this height, even when slots run ahead of blocks."
  endHeight: Int!
  resolved: Boolean!
  "Outcome; null until resolved."
  passed: Boolean
  quorumMet: Boolean
  stakes: [PoolStake!]!
  forTotal: String!
  againstTotal: String!
}
type PoolPage { items: [Pool!]!, nextCursor: String, total: Int! }

"REP locked by a member to be eligible for duties, until an epoch; exiting once unstaked before that epoch."
type Availability { member: String!, amount: String!, untilEpoch: Int!, exiting: Boolean! }
type AvailabilityPage { items: [Availability!]!, nextCursor: String, total: Int! }

"A governed parameter with its bounds (values as decimal strings)."
type Param { name: String!, value: String!, min: String, max: String }
"A passed parameter change waiting for its epoch boundary."
type PendingParam { name: String!, value: String!, effectiveEpoch: Int! }
type Params { current: [Param!]!, pending: [PendingParam!]! }

"A challenge in the registry: manifest, runtime policy and lifecycle status."
type Challenge {
  id: String!
  name: String!
  version: String!
  moduleHash: String!
  owner: String!
  "proposed | active | deprecated | retired"
  status: String!
  emissionSharePpm: Int!
  "Runtime policy as JSON (fuel limit, memory pages, host functions, float policy)."
  policy: String!
}
type ChallengePage { items: [Challenge!]!, nextCursor: String, total: Int! }

"One committee member's evaluation of a submission. ok false: the member had no result (backstop, payload or module unavailable); its score is not a score."
type Report { validator: String!, score: String!, fuelUsed: String!, outputHash: String!, deviating: Boolean!, ok: Boolean! }
"A miner's submission: its committee, their reports and the final score."
type Submission {
  id: String!
  miner: String!
  challenge: String!
  "The challenge, if registered."
  challengeDetail: Challenge
  payloadCid: String!
  height: Int!
  committee: [String!]!
  reports: [Report!]!
  "Null until final, and when final with no result (outcome no-result): never a made-up 0."
  finalScore: String
  final: Boolean!
  "pending | quorum | median | no-result (no committee member had a result by the deadline)."
  outcome: String!
}
type SubmissionPage { items: [Submission!]!, nextCursor: String, total: Int! }

"An epoch's weight matrix row, its quorum certificate, chain transaction and Yuma emulation."
type Epoch {
  epoch: Int!
  uids: [Int!]!
  miners: [String!]!
  "u16 weights, max-upscaled to 65535."
  weights: [Int!]!
  weightsHash: String!
  certificateSigners: [String!]!
  chainTx: String
  "Yuma consensus emulation as JSON, if computed."
  yuma: String
}
type EpochPage { items: [Epoch!]!, nextCursor: String, total: Int! }

"The leaf a proof for an absent key ends at instead (hex path and leaf hash)."
type ProofLeaf { path: String!, hash: String! }
"""One leaf of the authenticated state with its Merkle proof (ledger/state-tree.ts). Verify it against a root
you trust, not against the stateRoot field: the prevStateRoot of block height+1 (under its commit
certificate) or, at an epoch boundary, a checkpoint's stateRoot. validator/api/state-proof.ts checks one."""
type StateProof {
  "forum/<section>/<id> (forum/account/<member>, forum/post/<id>, forum/pool/<id>, forum/meta) or <section>/<id> of the ledger tree (nonce/<member>, submission/<id>, miner/<uid>, meta)."
  key: String!
  "The proof is of the state after this block."
  height: Int!
  "Hex state root after block height, as this node computed it."
  stateRoot: String!
  "forum | ledger: which tree holds the key."
  tree: String!
  "Hex of the leaf's canonical DAG-CBOR row; null when the key is absent (the proof then shows its absence)."
  value: String
  "Hex root of the other tree (the state root combines both)."
  otherRoot: String!
  "Per level from the root: the 16 child hashes (hex) of the branch on the key's path."
  levels: [[String!]!]!
  otherLeaf: ProofLeaf
}

"A certified checkpoint of the state at an epoch boundary."
type Checkpoint { epoch: Int!, height: Int!, stateRoot: String!, signers: [String!]!, cid: String }
type CheckpointPage { items: [Checkpoint!]!, nextCursor: String, total: Int! }

"""Reads. Every list is a page: 'first' (default 20, capped at the server's maxFirst, default 100) items
after the opaque cursor 'after'; 'nextCursor' is null on the last page. Queries deeper or costlier than the
server's limits are refused with QUERY_TOO_DEEP / QUERY_TOO_COSTLY."""
type Query {
  "This node's identity and position."
  node: NodeInfo!
  "A value of the state with its Merkle proof against the state root after the last decided block."
  stateProof(key: String!): StateProof!
  "Decided blocks, newest first unless fromHeight is given."
  blocks(first: Int, after: String, fromHeight: Int): BlockPage!
  block(height: Int!): Block
  validators(first: Int, after: String): ValidatorPage!
  balances(first: Int, after: String): BalancePage!
  balance(member: String!): Balance
  posts(first: Int, after: String): PostPage!
  post(id: String!): Post
  "openOnly: only pools taking stakes (not resolved, and their end slot or end height not reached at the head)."
  pools(first: Int, after: String, openOnly: Boolean): PoolPage!
  pool(id: String!): Pool
  availability(first: Int, after: String): AvailabilityPage!
  "Governed parameters and passed changes not yet in effect."
  params: Params!
  challenges(first: Int, after: String): ChallengePage!
  challenge(id: String!): Challenge
  submissions(first: Int, after: String, miner: String, challenge: String): SubmissionPage!
  submission(id: String!): Submission
  epochs(first: Int, after: String): EpochPage!
  epoch(epoch: Int!): Epoch
  checkpoints(first: Int, after: String): CheckpointPage!
}

type Mutation {
  "A miner's Submission. The payload goes inline (base64, checked against body.payloadCid) or is fetched by cid."
  submit(tx: SignedTxInput!, payload: String): TxReceipt!
  "A forum Post (authors, citations). Its text goes inline (base64) when body.content is the text's content id."
  post(tx: SignedTxInput!, content: String): TxReceipt!
  "Open a validation pool on a post (InitiatePool)."
  initiatePool(tx: SignedTxInput!): TxReceipt!
  "Stake REP for or against in a pool (Stake)."
  stake(tx: SignedTxInput!): TxReceipt!
  "Lock REP to be eligible for duties (StakeAvailability)."
  stakeAvailability(tx: SignedTxInput!): TxReceipt!
  "Leave the validator set at the next epoch boundary; REP unlocks at the stake's unlock epoch (UnstakeAvailability)."
  unstakeAvailability(tx: SignedTxInput!): TxReceipt!
  "A business request with a fee (BusinessRequest)."
  businessRequest(tx: SignedTxInput!): TxReceipt!
  "Propose a challenge (ProposeChallenge); the module bytes inline (base64) must hash to the manifest's moduleHash."
  proposeChallenge(tx: SignedTxInput!, module: String): TxReceipt!
  "Equivocation evidence (Evidence), from anyone: two conflicting consensus votes, or two checkpoint signatures for one epoch, by one validator. Verified before it is accepted (refused REJECTED with the reason); the ledger slashes the offender once."
  evidence(tx: SignedTxInput!): TxReceipt!
  "Operator only (Authorization: Bearer <api token>): the node stakes availability with its own key."
  nodeStakeAvailability(amount: String!, epochs: Int!): TxReceipt!
  "Operator only: the node stakes in a pool with its own key."
  nodeStake(pool: String!, amount: String!, inFavor: Boolean!): TxReceipt!
}

type Subscription {
  "Each newly decided block."
  newBlocks: Block!
  "Each submission whose score became final."
  finalScores: Submission!
  "Each validation pool when it resolves."
  poolOutcomes: Pool!
  "Each epoch whose weight matrix got its quorum certificate."
  certifiedEpochs: Epoch!
}
`
