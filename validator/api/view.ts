// What the API reads and does: the node implements NodeView (read model, plain DTOs) and NodeActions
// (verified, signed transactions into the mempool + gossip). The API never touches node internals, so it
// can be built in a test over in-memory neighbours (test/api/real-node.ts) and change underneath the API.
// Amounts are decimal REP strings; hashes (block, state root, submission) are lowercase hex without 0x, as the
// ledger computes them; keys and EVM addresses are 0x-hex; ids are strings; every list is cursor-paginated.

export interface Page<T> { readonly items: readonly T[]; readonly nextCursor: string | null; readonly total: number }
export interface PageArgs { readonly first?: number; readonly after?: string | null }

export interface NodeInfoDto {
  peerId: string; evmAddress: string; networkId: string; height: number; slot: number; epoch: number
  stateRoot: string; peers: string[]; synced: boolean; lastCertifiedEpoch: number | null
  /** Seed of the current epoch's challenge instances (hex): miners work on the instance it names. */
  epochSeed: string
  /** Transactions waiting in this node's mempool. */
  mempoolSize: number
}
export interface BlockDto { height: number; slot: number; epoch: number; hash: string; prevHash: string; prevStateRoot: string; stateRoot: string; proposer: string; txCount: number; certificateSigners: string[] }
export interface ValidatorDto { peerId: string; evmAddress: string; power: string; powerPpm: number; blsPublicKey: string }
/** REP (balance = locked + free) and fee credits (the currency pool fees, business fees and tx fees are paid in). */
export interface BalanceDto { member: string; balance: string; locked: string; free: string; credits: string }
export interface CitationDto { post: string; weightPpm: number }
export interface PostDto { id: string; authors: { member: string; weightPpm: number }[]; citations: CitationDto[]; value: string; content: string; createdSlot: number }
export interface PoolStakeDto { member: string; amount: string; inFavor: boolean }
/** Open for stakes until both `endSlot` and `endHeight` are reached (forum/pool-window.ts). */
export interface PoolDto { id: string; post: string; fee: string; startSlot: number; endSlot: number; startHeight: number; endHeight: number; resolved: boolean; passed: boolean | null; quorumMet: boolean | null; stakes: PoolStakeDto[]; forTotal: string; againstTotal: string }
/** `exiting`: unstaked before its unlock epoch (leaves the validator set at the boundary, REP still locked). */
export interface AvailabilityDto { member: string; amount: string; untilEpoch: number; exiting: boolean }
export interface ParamDto { name: string; value: string; min: string | null; max: string | null }
export interface PendingParamDto { name: string; value: string; effectiveEpoch: number }
export interface ChallengeDto { id: string; name: string; version: string; moduleHash: string; owner: string; status: string; emissionSharePpm: number; policy: string /* JSON */ }
/** ok false: the member had no result (backstop, payload or module unavailable); its score is not one. */
export interface ReportDto { validator: string; score: string; fuelUsed: string; outputHash: string; deviating: boolean; ok: boolean }
/** finalScore is null until final and when final with no result (outcome 'no-result'), never a made-up 0. */
export interface SubmissionDto { id: string; miner: string; challenge: string; payloadCid: string; height: number; committee: string[]; reports: ReportDto[]; finalScore: string | null; final: boolean; outcome: 'pending' | 'quorum' | 'median' | 'no-result' }
export interface EpochDto { epoch: number; uids: number[]; miners: string[]; weights: number[]; weightsHash: string; certificateSigners: string[]; chainTx: string | null; yuma: string | null /* JSON */ }
/** One leaf of the authenticated state with its proof (ledger/state-tree.ts); bytes as hex. Checked by state-proof.ts. */
export interface StateProofDto {
  /** The leaf, e.g. `forum/account/<member>`, `forum/post/<id>`, `nonce/<member>`, `submission/<id>`, `meta`. */
  key: string
  /** The proof is of the state after this block. */
  height: number
  /** Hex root of that state: block height+1 carries it as prevStateRoot under its commit certificate. */
  stateRoot: string
  tree: 'forum' | 'ledger'
  /** Hex of the leaf's canonical DAG-CBOR row; null when the key is absent (the proof then shows absence). */
  value: string | null
  /** Hex root of the other tree (the state root combines both). */
  otherRoot: string
  /** Per level from the root: the 16 child hashes (hex) of the branch on the key's path. */
  levels: string[][]
  /** For an absent key whose search ends at another leaf: that leaf's path and hash (hex). */
  otherLeaf: { path: string; hash: string } | null
}
export interface CheckpointDto { epoch: number; height: number; stateRoot: string; signers: string[]; cid: string | null }

export interface NodeView {
  info(): NodeInfoDto
  /** One leaf of the authenticated state with its Merkle proof against the current state root (state-proof.ts). */
  stateProof(key: string): StateProofDto
  blocks(args: PageArgs & { fromHeight?: number }): Page<BlockDto>
  block(height: number): BlockDto | null
  validators(args: PageArgs): Page<ValidatorDto>
  balances(args: PageArgs): Page<BalanceDto>
  balance(member: string): BalanceDto | null
  posts(args: PageArgs): Page<PostDto>
  post(id: string): PostDto | null
  pools(args: PageArgs & { openOnly?: boolean }): Page<PoolDto>
  pool(id: string): PoolDto | null
  availability(args: PageArgs): Page<AvailabilityDto>
  params(): { current: ParamDto[]; pending: PendingParamDto[] }
  challenges(args: PageArgs): Page<ChallengeDto>
  challenge(id: string): ChallengeDto | null
  submissions(args: PageArgs & { miner?: string; challenge?: string }): Page<SubmissionDto>
  submission(id: string): SubmissionDto | null
  epochs(args: PageArgs): Page<EpochDto>
  epoch(epoch: number): EpochDto | null
  checkpoints(args: PageArgs): Page<CheckpointDto>
}

/** A transaction signed by the client: canonical CBOR body, ed25519 signature by the sender's key. */
export interface SignedTxInput {
  /** base64 of the canonical CBOR of the transaction body (which names its sender). */
  readonly body: string
  /** 0x-hex ed25519 public key of the sender. */
  readonly publicKey: string
  /** 0x-hex ed25519 signature over the body in Domain.transaction. */
  readonly signature: string
}

export type ActionResult = { readonly accepted: true; readonly txId: string } | { readonly accepted: false; readonly code: ActionErrorCode; readonly message: string }
export type ActionErrorCode = 'BAD_SIGNATURE' | 'MALFORMED' | 'UNKNOWN_CHALLENGE' | 'PAYLOAD_TOO_LARGE' | 'INSUFFICIENT_REP' | 'INSUFFICIENT_CREDITS'
  | 'UNKNOWN_POST' | 'UNKNOWN_POOL' | 'POOL_CLOSED' | 'LOCKED' | 'NO_STAKE' | 'NONCE_USED' | 'FEE_UNPAID' | 'ALREADY_PENDING' | 'SENDER_QUOTA'
  | 'MEMPOOL_FULL' | 'RATE_LIMITED' | 'REJECTED'

export interface NodeActions {
  /**
   * Verify (signature, schema, state preconditions), then add to the mempool and gossip. Changes nothing on error.
   * `prechecked`: the caller asked `precheck` in this same turn (no await between), so its head is not decoded
   * and checked again (the mempool's admission re-plans anyway; the early check only saves the signature).
   */
  submitTransaction(tx: SignedTxInput, payload?: Uint8Array, opts?: { readonly prechecked?: boolean }): Promise<ActionResult>
  /** The mempool's refusal of `tx` from its unverified head (no signature check, no schema), if any: the API asks first. */
  precheck?(tx: SignedTxInput): (ActionResult & { readonly accepted: false }) | undefined
  /** Operator actions (API token required): the node signs `body` (type + fields, no sender/nonce) with its own member key. Optional. */
  submitAsNode?(body: { readonly type: string; readonly [k: string]: unknown }): Promise<ActionResult>
}

/** Live events for subscriptions. */
export type NodeEvent =
  | { type: 'block'; block: BlockDto }
  | { type: 'finalScore'; submission: SubmissionDto }
  | { type: 'poolOutcome'; pool: PoolDto }
  | { type: 'certifiedEpoch'; epoch: EpochDto }

export interface NodeEvents { subscribe(fn: (e: NodeEvent) => void): () => void }
