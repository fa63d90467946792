// The genesis file: everything a node needs to start the replicated log at height 0 — network id, genesis
// time, governed parameter overrides, initial REP balances, the validators (keys, availability stake)
// and the challenges active at genesis. Validated with zod where it is read.
import { z } from 'zod'
import { AgoraError } from '../core/errors.ts'
import { hashValue } from '../core/encoding.ts'
import { toHex } from '../core/bytes.ts'

const hex = z.string().regex(/^0x[0-9a-f]*$/, 'lowercase 0x-hex')
const rep = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a decimal REP amount')

export const GenesisValidatorSchema = z.object({
  /** libp2p peer id (ed25519): also the validator's member id in the forum. */
  peerId: z.string().min(10),
  ed25519PublicKey: hex,
  blsPublicKey: hex,
  /** BLS proof of possession, so aggregate certificates are safe against rogue keys. */
  blsProof: hex,
  evmAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /** REP locked as availability stake at genesis: the validator's voting power. */
  stake: rep,
  /** Where its node listens, for bootstrap (optional; a devnet fills it in). */
  multiaddrs: z.array(z.string()).default([]),
})
export type GenesisValidator = z.infer<typeof GenesisValidatorSchema>

export const GenesisChallengeSchema = z.object({
  id: z.string().min(1).max(64),
  moduleHash: hex,
  /** Path of the built module relative to the repository (devnet) — bytes are checked against the hash. */
  module: z.string(),
  emissionSharePpm: z.number().int().min(0).max(1_000_000),
})

export const GenesisSchema = z.object({
  networkId: z.string().min(1).max(64),
  /** Unix ms of slot 0. Only the scheduler reads it; replicated state counts slots, never wall time. */
  genesisTime: z.number().int().nonnegative(),
  params: z.record(z.string(), z.union([z.number().int(), z.string(), z.boolean()])).default({}),
  balances: z.record(z.string(), rep).default({}),
  /** Fee-currency balances (pool and business fees are paid in it), decimal like REP. */
  credits: z.record(z.string(), rep).default({}),
  validators: z.array(GenesisValidatorSchema).min(1),
  challenges: z.array(GenesisChallengeSchema).default([]),
  chain: z.object({ chainId: z.number().int().positive(), rpcUrl: z.string().optional(), weightRegistry: z.string().optional() }).optional(),
})
export type Genesis = z.infer<typeof GenesisSchema>

export function parseGenesis(json: string, source = 'genesis'): Genesis {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (e) {
    throw new AgoraError('BAD_GENESIS', `${source}: not valid JSON (${(e as Error).message})`)
  }
  const r = GenesisSchema.safeParse(raw)
  if (!r.success) {
    const i = r.error.issues[0]!
    throw new AgoraError('BAD_GENESIS', `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`)
  }
  const peers = new Set<string>()
  for (const v of r.data.validators) {
    if (peers.has(v.peerId)) throw new AgoraError('BAD_GENESIS', `${source}: validator ${v.peerId} listed twice`)
    peers.add(v.peerId)
  }
  return r.data
}


/** Identity of the network's history: two nodes with different genesis hashes never talk consensus. */
export const genesisHash = (g: Genesis): string => toHex(hashValue({ ...g, validators: g.validators.map(({ multiaddrs: _m, ...v }) => v), chain: undefined }))
