// Builds a local network's genesis: one data dir (keystore) per validator, miner identities, and a genesis
// file naming them. Used by `agora genesis` and by the devnet. Deterministic given the mnemonics.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { generateMnemonic, deriveNodeKeys } from '../../core/crypto/keys.ts'
import { proveBlsPossession } from '../../core/crypto/sign.ts'
import { sha256 } from '../../core/hash.ts'
import { toHex } from '../../core/bytes.ts'
import { initDataDir } from '../../tools/cli/commands/keys.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import { writeGenesis } from './genesis-file.ts'
import { CHALLENGE_POLICIES } from '../../challenges/index.ts'
import { MIN_METERED_FUEL_PER_MS } from '../../registry/policy.ts'

/**
 * A local network's evaluation backstop, derived from the bundled challenges' fuel budgets: the largest
 * budget at the slowest metered rate measured (MIN_METERED_FUEL_PER_MS, the rate the registry sizes budgets
 * by), plus a worker's first run of a module (meter + compile the challenge and its nested program: 27–250 ms
 * measured), times the slowdown of a devnet whose nodes share two cores; rounded up to a second.
 * Today: (222 + 250) ms × 4 → 2 s.
 */
const WORST_FUEL_PER_MS = BigInt(MIN_METERED_FUEL_PER_MS)
const FIRST_RUN_MS = 250
const SHARED_CORE_SLOWDOWN = 4
export const localEvaluationBackstopMs = (policies: readonly { fuelLimit: bigint }[]): number => {
  const fuel = policies.reduce((m, p) => (p.fuelLimit > m ? p.fuelLimit : m), 0n)
  const ms = (FIRST_RUN_MS + Number((fuel + WORST_FUEL_PER_MS - 1n) / WORST_FUEL_PER_MS)) * SHARED_CORE_SLOWDOWN
  return Math.ceil(ms / 1000) * 1000
}
/** Evaluation timing of a local network: payloads come over loopback from a peer (1 s covers a retry). */
const LOCAL_TIMING = { evaluationBackstopMs: localEvaluationBackstopMs(Object.values(CHALLENGE_POLICIES)), payloadFetchMs: 1_000 }

export interface LocalChallenge { id: string; modulePath: string; emissionSharePpm: number }

export interface LocalNetworkOptions {
  dir: string
  validators: number
  miners?: number
  networkId?: string
  genesisTime?: number
  slotMs?: number
  epochSlots?: number
  /** REP each validator gets, and how much of it is locked as availability stake. */
  validatorRep?: string
  validatorStake?: string
  minerRep?: string
  params?: Record<string, number | boolean>
  challenges?: LocalChallenge[]
  /** Identities with REP but no stake, for validators added later (`agora nodes add`). */
  spareValidators?: number
  /** Data dir of validator i (default <dir>/nodes/node-<i>, the devnet supervisor's layout). */
  dataDirOf?: (i: number) => string
  /** Reuse these mnemonics (recreate a network); generated otherwise. */
  validatorMnemonics?: string[]
  minerMnemonics?: string[]
  chain?: Genesis['chain']
}

export interface LocalNetwork {
  genesis: Genesis
  genesisPath: string
  validators: { index: number; dataDir: string; mnemonic: string; peerId: string; evmAddress: string }[]
  miners: { index: number; mnemonic: string; peerId: string }[]
  spares: { index: number; mnemonic: string; peerId: string }[]
}

export async function buildLocalNetwork(o: LocalNetworkOptions): Promise<LocalNetwork> {
  const dir = resolve(o.dir)
  mkdirSync(dir, { recursive: true })
  const validators: LocalNetwork['validators'] = []
  const gv: Genesis['validators'] = []
  for (let i = 0; i < o.validators; i++) {
    const dataDir = o.dataDirOf ? o.dataDirOf(i) : join(dir, 'nodes', `node-${i}`)
    const r = await initDataDir(dataDir, { mnemonic: o.validatorMnemonics?.[i], force: true })
    validators.push({ index: i, dataDir, mnemonic: r.mnemonic, peerId: r.keys.peerId, evmAddress: r.keys.evmAddress })
    gv.push({
      peerId: r.keys.peerId, ed25519PublicKey: '0x' + toHex(r.keys.ed25519PublicKey), blsPublicKey: '0x' + toHex(r.keys.blsPublicKey),
      blsProof: '0x' + toHex(proveBlsPossession(r.keys.blsSecretKey)), evmAddress: r.keys.evmAddress,
      stake: o.validatorStake ?? '100', multiaddrs: [],
    })
  }
  const miners: LocalNetwork['miners'] = []
  for (let i = 0; i < (o.miners ?? 0); i++) {
    const mnemonic = o.minerMnemonics?.[i] ?? generateMnemonic()
    miners.push({ index: i, mnemonic, peerId: (await deriveNodeKeys(mnemonic)).peerId })
  }
  const spares: LocalNetwork['spares'] = []
  for (let i = 0; i < (o.spareValidators ?? 0); i++) {
    const mnemonic = generateMnemonic()
    spares.push({ index: o.validators + i, mnemonic, peerId: (await deriveNodeKeys(mnemonic)).peerId })
  }
  const balances: Record<string, string> = {}
  for (const v of spares) balances[v.peerId] = o.validatorRep ?? '1000'
  for (const v of validators) balances[v.peerId] = o.validatorRep ?? '1000'
  for (const m of miners) balances[m.peerId] = o.minerRep ?? '10'
  // Fee credits so validators can open pools (e.g. on parameter-change posts).
  const credits: Record<string, string> = {}
  for (const v of [...validators, ...spares]) credits[v.peerId] = '100'
  const genesis: Genesis = {
    networkId: o.networkId ?? 'agora-devnet',
    genesisTime: o.genesisTime ?? Date.now() + 3000,
    // A local network's challenges are tiny and its payloads are on loopback: the derived backstop (2 s) and a
    // 1 s fetch budget give a commit window of a few slots, so submissions finalize within short devnet epochs.
    params: { ...LOCAL_TIMING, ...(o.slotMs ? { slotMs: o.slotMs } : {}), ...(o.epochSlots ? { epochSlots: o.epochSlots } : {}), ...(o.params ?? {}) },
    balances,
    credits,
    validators: gv,
    challenges: (o.challenges ?? []).map((c) => ({
      id: c.id, module: relative(dir, resolve(c.modulePath)), emissionSharePpm: c.emissionSharePpm,
      moduleHash: '0x' + toHex(sha256(readFileSync(c.modulePath))),
    })),
    ...(o.chain ? { chain: o.chain } : {}),
  }
  const genesisPath = join(dir, 'genesis.json')
  writeGenesis(genesisPath, genesis)
  writeFileSync(join(dir, 'mnemonics.json'), JSON.stringify({ validators: validators.map((v) => v.mnemonic), miners: miners.map((m) => m.mnemonic), spares: spares.map((m) => m.mnemonic) }, null, 2), { mode: 0o600 })
  return { genesis, genesisPath, validators, miners, spares }
}
