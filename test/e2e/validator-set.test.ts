// Reputation decides who certifies and what runs, end to end on one real devnet (processes, libp2p, RocksDB,
// embedded chain), in two flows at once:
// - the set: 4 genesis validators; `agora nodes add --count 2`; once both are in the set, `agora nodes remove`
//   two genesis validators (each returns once its node has left the set). Later epochs are certified by a
//   quorum that includes both newcomers, the chain follows (a certified update, then weights it accepts), a
//   certificate by the removed validators alone is refused by the nodes and by the contract, and every node's
//   `agora status` shows every on-chain epoch's transaction (read back from the contract's events);
// - the registry: `agora challenge publish` (the sorter module, not active at genesis) passes its pool (the
//   owner's stake, the validators' voting policies), runs on the nodes, its miner is in the next weights on
//   chain; then `agora challenge deprecate` passes too and the API refuses new work for it (UNKNOWN_CHALLENGE).
import { afterAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AGORA_BIN, agoraInProcess, type CliResult } from '../helpers/cli.ts'
import { gql, startDevnet, until, type Devnet } from '../helpers/e2e.ts'
import type { NodeRecord } from '../../tools/devnet/registry.ts'
import { loadKeysFromDataDir } from '../../tools/cli/commands/keys.ts'
import { deriveNodeKeys, generateMnemonic } from '../../core/crypto/keys.ts'
import { Domain, aggregateBlsSignatures, signBls } from '../../core/crypto/sign.ts'
import { createChainClient, type ChainClient } from '../../contracts/client.ts'
import { signWeights } from '../../contracts/eip712.ts'
import { ChainRevertError } from '../../contracts/errors.ts'
import { createAgoraHost, type AgoraHost } from '../../validator/infra/p2p/index.ts'
import { checkpointHeaderHash, checkpointSigningPayload, encodeCheckpointRecord, type CheckpointHeader } from '../../validator/core/checkpoint.ts'
import { certificationSetHash } from '../../ledger/validator-keys.ts'
import { BUILD_DIR } from '../../challenges/build.ts'
import { CHALLENGE_POLICIES } from '../../challenges/index.ts'
import { sorterPayload } from '../../challenges/payloads.ts'

const SLOT_MS = 1000
const EPOCH_SLOTS = 6
/** The registry flow needs a funded identity of its own (spares 1 and 2 become node-5 and node-6). */
const SPARES = 3
const CHALLENGE = 'sorter'
/**
 * Its pools stay open two epochs (the devnet's govMinDurationSlots) and as many blocks: a validator's vote
 * is a Stake that a block must include before the pool ends, and while the set hands over blocks come up
 * to 26 slots apart (a window in slots alone closed with no block in it: every stake refused POOL_CLOSED).
 */
const POOL_SLOTS = 2 * EPOCH_SLOTS
/** Until a published step is in force everywhere: its pool's 12 blocks at hand-over pace, then a boundary. */
const STEP_MS = 150_000

/**
 * `agora <args>` as a child process, without blocking this process (both flows poll while commands run):
 * for `nodes add|remove`, which wait for epochs. Short commands run in process (`agoraInProcess`, one at a
 * time): a spawned CLI costs over a second of CPU to start, and the machine is shared.
 */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [AGORA_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    p.stdout.on('data', (d) => { stdout += d })
    p.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('close', (status) => { clearTimeout(timer); done({ status, stdout, stderr }) })
  })
}
const json = <T>(r: CliResult): T => {
  if (r.status !== 0) throw new Error(`agora exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
const api = (n: NodeRecord) => `http://127.0.0.1:${n.apiPort}/graphql`

/** The same WASM module with a custom section naming `tag`: another payload (cid), the same program. */
function tagged(wasm: Uint8Array, tag: string): Uint8Array {
  const name = new TextEncoder().encode(tag)
  return new Uint8Array([...wasm, 0, name.length + 1, name.length, ...name])
}

describe('a validator set and a challenge registry that change end to end', () => {
  let net: Devnet | undefined
  let observer: AgoraHost | undefined
  let reader: ChainClient | undefined

  afterAll(async () => {
    await observer?.stop().catch(() => undefined)
    reader?.close()
    await net?.stop()
  }, 60_000)

  it('hands certification to the new set, and runs then deprecates a published challenge', async () => {
    net = await startDevnet({ validators: 4, miners: 1, slotMs: SLOT_MS, epochSlots: EPOCH_SLOTS, readyHeight: 2, extraArgs: ['--spares', String(SPARES)] })
    const d = net
    const { contract, rpcUrl } = d.chain()
    reader = createChainClient({ rpcUrl, address: contract })
    const chain = reader
    // One flow failing ends the other's waits at once; the first failure is the one reported.
    let firstFailure: unknown
    /** `until`, abandoned once the other flow failed; on a timeout `detail()` (the state seen then) joins the message. */
    const wait = async <T>(what: string, ms: number, probe: () => Promise<T | undefined | false>, detail?: () => Promise<unknown>): Promise<T> => {
      const v = await until(what, ms, async () => (firstFailure !== undefined ? 'aborted' as const : probe())).catch(async (e: Error) => {
        if (detail) e.message += `\nseen: ${await detail().then((x) => JSON.stringify(x), (x) => String(x))}`
        throw e
      })
      if (v === 'aborted') throw new Error(`${what}: abandoned, the other flow failed`)
      return v as T
    }
    const heights = () => Promise.all(members().map((n) => gql<{ node: { height: number; epoch: number } }>(n, '{ node { height epoch } }').then((r) => `${n.id}:${r.node.height}/${r.node.epoch}`, () => `${n.id}:down`)))
    // Seconds since start at which each step ended: in the failure message, to see where time went.
    const t0 = Date.now()
    const steps: string[] = []
    const step = (name: string) => steps.push(`${name} ${Math.round((Date.now() - t0) / 1000)}s`)
    // The nodes that are part of the network (a busy one may be 'unresponsive' for a moment: it is asked too).
    const members = () => {
      const all = d.registry().nodes.filter((n) => !['removed', 'stopping', 'stopped'].includes(n.status))
      if (all.length === 0) throw new Error('no node in the network')
      return all
    }
    const validators = (rec: NodeRecord) => gql<{ validators: { items: { peerId: string }[] } }>(rec, '{ validators(first: 50) { items { peerId } } }').then((r) => r.validators.items.map((v) => v.peerId).sort())

    /** Slots between consecutive blocks from `fromHeight` on, as node-3 lists them (pages of 100). */
    const blockGaps = async (fromHeight: number): Promise<number[]> => {
      const slots: number[] = []
      for (let h = fromHeight; ;) {
        const page = (await gql<{ blocks: { items: { height: number; slot: number }[] } }>(d.node('node-3'), 'query($h: Int!) { blocks(first: 100, fromHeight: $h) { items { height slot } } }', { h })).blocks.items
        if (page.length === 0) return slots.slice(1).map((x, i) => x - slots[i]!)
        for (const b of page) slots.push(b.slot)
        h = page[page.length - 1]!.height + 1
      }
    }

    async function setFlow(): Promise<void> {
      // 1. Two validators join: their stakes register BLS and EVM keys (each once its node can sign); both enter the set.
      const handoverFrom = (await gql<{ node: { height: number } }>(d.node('node-3'), '{ node { height } }')).node.height
      // It returns once both stakes are sent: after each node synced and cleared its guard (at most 60 s).
      json(await cli(['nodes', 'add', '--count', '2', '--dir', d.dir, '--json']))
      step('added')
      const joined = [d.node('node-5').peerId!, d.node('node-6').peerId!]
      await wait('both newcomers in the set', 120_000, async () => (await validators(d.node('node-3'))).filter((p) => joined.includes(p)).length === 2)

      // 2. Two genesis validators leave, one at a time (so the set in force never loses a third of its power
      // at once); `nodes remove` returns once the node has left the set, and only then stops it.
      const gone = [d.node('node-1'), d.node('node-2')]
      const goneKeys = await Promise.all(gone.map((n) => loadKeysFromDataDir(n.dataDir).then((k) => k.keys)))
      for (const rec of gone) {
        json(await cli(['nodes', 'remove', rec.id, '--dir', d.dir, '--json']))
        // The node the devnet asked may be a block ahead of node-3: a few slots at most.
        await wait(`${rec.id} out of node-3's set`, 5 * SLOT_MS, async () => !(await validators(d.node('node-3'))).includes(rec.peerId!))
      }
      expect(await validators(d.node('node-3'))).toEqual([d.node('node-3').peerId!, d.node('node-4').peerId!, ...joined].sort())
      step('removed')
      // How the chain went through the hand-over (the set at 6, then 5, then 4), in the failure message:
      // before issue #17's fixes the newcomers entered the set silent (14 and 25 slots without a block),
      // then 2 validators a round ahead of the other 4 (exactly 1/3) could not pull them up (a halt).
      const gaps = await blockGaps(handoverFrom)
      step(`longest gap ${Math.max(0, ...gaps)} slots from height ${handoverFrom}`)
      const handoverEpoch = (await gql<{ node: { epoch: number } }>(d.node('node-3'), '{ node { epoch } }')).node.epoch

      // 3. The chain follows: the contract holds the new set (certified by the outgoing one) ...
      const stayKeys = await Promise.all(['node-3', 'node-4', 'node-5', 'node-6'].map((id) => loadKeysFromDataDir(d.node(id).dataDir).then((k) => k.keys)))
      const stayAddresses = JSON.stringify(stayKeys.map((k) => k.evmAddress.toLowerCase()).sort())
      await wait('the contract holds the new set', 120_000, async () => JSON.stringify((await chain.validatorSet()).validators.map((v) => v.address.toLowerCase()).sort()) === stayAddresses)
      step('contract set')
      // ... and accepts weights of a later epoch, certified by a quorum including both newcomers.
      const certified = await wait('a later epoch certified with both newcomers and on chain', 150_000, async () => {
        const r = await gql<{ checkpoints: { items: { epoch: number; signers: string[] }[] } }>(d.node('node-3'), '{ checkpoints(first: 50) { items { epoch signers } } }')
        const cp = r.checkpoints.items.find((c) => c.epoch >= handoverEpoch && joined.every((p) => c.signers.includes(p)))
        return cp && (await chain.weightsOf(BigInt(cp.epoch))) ? cp : undefined
      })
      step('certified')
      expect(certified.signers.some((s) => gone.some((g) => g.peerId === s))).toBe(false)

      // 4. A certificate by the removed validators alone is refused — by the contract ...
      const last = (await chain.lastEpoch())!
      const m = { chainId: await chain.chainId(), contract, epoch: last + 1n, uids: [0], weights: [65535] }
      const sender = createChainClient({ rpcUrl, address: contract, privateKey: goneKeys[0]!.evmPrivateKey }) // a removed validator's funded account
      const refused = await sender.submitWeights(m.epoch, m.uids, m.weights, goneKeys.map((k) => signWeights(k.evmPrivateKey, m)))
        .then(() => 'accepted', (e) => (e instanceof ChainRevertError ? e.errorName : String(e)))
      sender.close()
      expect(refused).toBe('NotValidator')
      // ... and by the nodes: a checkpoint record they sign is not stored by any peer.
      const header: CheckpointHeader = { networkId: JSON.parse(readFileSync(join(d.dir, 'genesis.json'), 'utf8')).networkId, epoch: certified.epoch + 1, height: 1, blockHash: '00', stateRoot: '00', stateCid: 'x', nextSetHash: certificationSetHash({ members: [], total: 0n }) }
      const agg = aggregateBlsSignatures(goneKeys.map((k) => signBls(k.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(checkpointHeaderHash(header)))))
      observer = await createAgoraHost({ ed25519Seed: new Uint8Array(32).fill(91), verifyCheckpoint: () => true, bootstrap: d.node('node-3').multiaddrs })
      await observer.start()
      await wait('observer connected', 30_000, async () => observer!.peers().length > 0)
      const put = await observer.dht.putCheckpoint(encodeCheckpointRecord(header, goneKeys.map((k) => k.peerId), agg, { members: [], total: 0n }), { signal: AbortSignal.timeout(15_000) })
      expect(put.peersAccepted).toBe(0)
    }

    async function registryFlow(): Promise<void> {
      const owner = { AGORA_MNEMONIC: JSON.parse(readFileSync(join(d.dir, 'mnemonics.json'), 'utf8')).spares[SPARES - 1] as string }
      const minerMnemonic = generateMnemonic()
      const miner = { AGORA_MNEMONIC: minerMnemonic }
      const minerId = (await deriveNodeKeys(minerMnemonic)).peerId
      const entry = d.node('node-3')
      const statusEverywhere = (want: string) => async () =>
        (await Promise.all(members().map((n) => gql<{ challenge: { status: string } | null }>(n, `{ challenge(id: "${CHALLENGE}") { status } }`)))).every((r) => r.challenge?.status === want)

      // 1. Every genesis validator's operator votes for this challenge's lifecycle steps (its policy file,
      // reread by the running node), staking 80 % of its free REP: any two of them reach the governance quorum.
      for (const id of ['node-1', 'node-2', 'node-3', 'node-4']) json(await agoraInProcess(['gov', 'policy', '--data-dir', d.node(id).dataDir, '--challenge', `${CHALLENGE}=for`, '--stake-ppm', '800000', '--json']))

      // 2. The owner publishes the sorter (a module no node has: its bytes travel with the proposal) and opens its pool.
      const cdir = join(d.dir, '..', CHALLENGE)
      mkdirSync(cdir)
      copyFileSync(join(BUILD_DIR, `${CHALLENGE}.wasm`), join(cdir, `${CHALLENGE}.wasm`))
      const p = CHALLENGE_POLICIES.sorter
      writeFileSync(join(cdir, 'manifest.json'), JSON.stringify({
        name: CHALLENGE, version: '1.0.0', description: 'sort 256 seeded u32s with a WASM program', entryPoints: ['evaluate'], emissionSharePpm: 200_000,
        policy: { fuelLimit: Number(p.fuelLimit), memoryPages: p.maxMemoryPages, hostFunctions: p.hostFunctions, floats: 'deny', maxNestedFuel: Number(p.maxNestedFuel), maxInputBytes: p.maxInputBytes },
      }))
      const published = json<{ post: string; pool: string; moduleHash: string }>(await agoraInProcess(['challenge', 'publish', cdir, '--pool-fee', '10', '--pool-duration', String(POOL_SLOTS), '--node', api(entry), '--json'], owner))
      // The owner backs it with most of its own free REP too (alone above the 10 % quorum): while the set
      // changes, blocks are few and a validator's vote may miss the pool's window (they are not asserted).
      const back = async (pool: string) => {
        await wait(`pool ${pool} decided`, 30_000, async () => (await gql<{ pool: { id: string } | null }>(entry, 'query($id: String!) { pool(id: $id) { id } }', { id: pool })).pool)
        json(await agoraInProcess(['pool', 'stake', pool, '--for', '900', '--node', api(entry), '--json'], owner))
      }
      await back(published.pool)

      // 3. It passes: active on every node.
      const poolState = async () => ({ heights: await heights(), ...(await gql<Record<string, unknown>>(entry, 'query($id: String!, $c: String!) { pool(id: $id) { endSlot resolved passed quorumMet forTotal againstTotal stakes { member inFavor } } challenge(id: $c) { status } }', { id: published.pool, c: CHALLENGE })) })
      await wait(`${CHALLENGE} active on every node`, STEP_MS, statusEverywhere('active'), poolState)
      step('active')
      const pool = (await gql<{ pool: { passed: boolean; stakes: { member: string; inFavor: boolean }[] } }>(entry, 'query($id: String!) { pool(id: $id) { passed stakes { member inFavor } } }', { id: published.pool })).pool
      expect(pool.passed).toBe(true)
      expect(pool.stakes.every((s) => s.inFavor)).toBe(true)

      // 4. From the next boundary it takes work: a miner's program is accepted (refused until then, with the typed code).
      const program = await sorterPayload('shell')
      let attempt = 0
      const submit = async () => {
        const file = join(cdir, `payload-${attempt}.wasm`)
        writeFileSync(file, tagged(program, `try-${attempt++}`))
        return agoraInProcess(['submit', '--challenge', CHALLENGE, '--payload', file, '--node', api(entry), '--json'], miner)
      }
      // Until one is in the log (one accepted near a boundary may fall out as stale): a new payload every try.
      const early: string[] = []
      const mine = () => gql<{ submissions: { items: { id: string; final: boolean }[] } }>(entry, 'query($m: String!) { submissions(first: 50, miner: $m) { items { id final } } }', { m: minerId }).then((r) => r.submissions.items)
      await wait(`a ${CHALLENGE} submission in the log`, 90_000, async () => {
        if ((await mine()).length > 0) return true
        const r = await submit()
        if (r.status !== 0) early.push(r.stderr.trim())
        return false
      })
      step('accepted')
      // The API's code for a challenge not in the epoch's table (gossip admission's TX_CHALLENGE_NOT_ACTIVE).
      for (const e of early) expect(e).toMatch(/^error: UNKNOWN_CHALLENGE: /)

      // 5. Evaluated by its committee (module fetched by hash, run under the manifest's policy): final on every node, one score.
      type Sub = { final: boolean; finalScore: string | null; outcome: string; committee: string[]; reports: { outputHash: string; deviating: boolean; ok: boolean }[] }
      const finals = await wait(`a ${CHALLENGE} submission final on every node`, 90_000, async () => {
        const id = (await mine()).find((x) => x.final)?.id
        if (!id) return undefined
        const all = await Promise.all(members().map((n) => gql<{ submission: Sub | null }>(n, 'query($id: String!) { submission(id: $id) { final finalScore outcome committee reports { outputHash deviating ok } } }', { id })))
        return all.every((r) => r.submission?.final) ? all.map((r) => r.submission!) : undefined
      }, async () => ({ heights: await heights(), submissions: await gql(entry, 'query($m: String!) { submissions(first: 10, miner: $m) { items { final outcome committee reports { validator score ok } } } }', { m: minerId }) }))
      step('final')
      expect(new Set(finals.map((s) => s.finalScore)).size).toBe(1)
      // A run no member had a result for (backstop, missing payload or module) is its own outcome, not a 0.
      expect(finals[0]!.outcome).not.toBe('no-result')
      expect(Number(finals[0]!.finalScore)).toBeGreaterThan(0)
      expect(finals[0]!.reports.length).toBeGreaterThan(0)
      expect(new Set(finals[0]!.reports.map((r) => r.outputHash)).size).toBe(1)

      // 6. Its miner is in that epoch's weights, and those weights are on chain.
      const epoch = await wait(`${CHALLENGE}'s miner in weights on chain`, 90_000, async () => {
        const r = await gql<{ epochs: { items: { epoch: number; uids: number[]; miners: string[]; weights: number[] }[] } }>(entry, '{ epochs(first: 30) { items { epoch uids miners weights } } }')
        const e = r.epochs.items.find((x) => x.miners.includes(minerId))
        const stored = e && (await chain.weightsOf(BigInt(e.epoch)))
        return stored && JSON.stringify(stored.uids) === JSON.stringify(e.uids) && JSON.stringify(stored.weights) === JSON.stringify(e.weights) ? e : undefined
      })
      step('weights')
      expect(epoch.weights[epoch.miners.indexOf(minerId)]).toBeGreaterThan(0)

      // 7. Deprecated through the registry (its own pool, the same backing): from the next boundary the API refuses work for it.
      const deprecation = json<{ pool: string }>(await agoraInProcess(['challenge', 'deprecate', CHALLENGE, '--pool-fee', '10', '--pool-duration', String(POOL_SLOTS), '--node', api(entry), '--json'], owner))
      await back(deprecation.pool)
      step('deprecate posted')
      await wait(`${CHALLENGE} deprecated on every node`, STEP_MS, statusEverywhere('deprecated'), heights)
      const refusal = await wait(`a ${CHALLENGE} submission refused`, 60_000, async () => {
        const r = await submit()
        return r.status !== 0 && r.stderr.trim()
      })
      step('refused')
      expect(refusal).toMatch(/^error: UNKNOWN_CHALLENGE: /)
    }

    await Promise.allSettled([setFlow(), registryFlow()].map((f) => f.catch((e) => { firstFailure ??= e })))
    if (firstFailure !== undefined) {
      const e = firstFailure as Error
      e.message += `\nsteps: ${steps.join(', ')}\ndevnet output (tail):\n${d.output().slice(-4000)}`
      throw e
    }

    // Every running node serves the chain transaction of every epoch on chain (read from the contract's
    // events, whichever node sent it), and its `agora status` view shows those of the latest epochs.
    await until('every node knows every chain tx, and its status view shows them', 90_000, async () => {
      const onChain = await chain.weightSubmissions(0)
      if (onChain.length === 0) return false
      for (const n of members()) {
        const r = await gql<{ epochs: { items: { epoch: number; chainTx: string | null }[] } }>(n, '{ epochs(first: 200) { items { epoch chainTx } } }')
        const served = new Map(r.epochs.items.map((e) => [e.epoch, e.chainTx]))
        if (!onChain.every((c) => served.get(c.epoch) === c.txHash)) return false
        const s = json<{ epochs: { epoch: number; chainTx: string | null }[] }>(await agoraInProcess(['status', '--node', api(n), '--json']))
        const shown = s.epochs.filter((e) => onChain.some((c) => c.epoch === e.epoch))
        if (shown.length === 0 || !shown.every((e) => e.chainTx === onChain.find((c) => c.epoch === e.epoch)!.txHash)) return false
      }
      return true
    })
  }, 420_000)
})
