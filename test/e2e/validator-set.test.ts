// The validator set changes end to end on a real devnet (processes, libp2p, RocksDB, embedded chain):
// 4 genesis validators; `agora nodes add --count 2`; once both are in the set, `agora nodes remove` two
// genesis validators. Later epochs are certified by a quorum that includes both newcomers, the chain follows
// the set (a certified update, then weights the contract accepts), a certificate by the removed validators
// alone is refused by the nodes (DHT record validator) and by the contract, and every node knows every
// epoch's chain transaction (read back from the contract's events).
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AGORA_BIN, runCli } from '../helpers/cli.ts'
import { readRegistry, type NodeRecord } from '../../tools/devnet/registry.ts'
import { loadKeysFromDataDir } from '../../tools/cli/commands/keys.ts'
import { Domain, aggregateBlsSignatures, signBls } from '../../core/crypto/sign.ts'
import { createChainClient } from '../../contracts/client.ts'
import { signWeights } from '../../contracts/eip712.ts'
import { ChainRevertError } from '../../contracts/errors.ts'
import { createAgoraHost, type AgoraHost } from '../../validator/infra/p2p/index.ts'
import { checkpointHeaderHash, checkpointSigningPayload, encodeCheckpointRecord, type CheckpointHeader } from '../../validator/core/checkpoint.ts'
import { certificationSetHash } from '../../ledger/validator-keys.ts'

const SLOT_MS = 1000
const EPOCH_SLOTS = 6
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function gql<T>(rec: NodeRecord, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${rec.apiPort}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(5000),
  })
  const j = (await r.json()) as { data?: T; errors?: { message: string }[] }
  if (!j.data) throw new Error(j.errors?.[0]?.message ?? 'no data')
  return j.data
}
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await sleep(500)
  }
}

describe('a validator set that changes end to end', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'agora-valset-')), 'net')
  let devnet: ChildProcess | undefined
  let observer: AgoraHost | undefined
  let out = ''
  const registry = () => readRegistry(dir)!
  const node = (id: string) => registry().nodes.find((n) => n.id === id)!
  const running = () => registry().nodes.filter((n) => n.status === 'running')
  const validators = (rec: NodeRecord) => gql<{ validators: { items: { peerId: string }[] } }>(rec, '{ validators(first: 50) { items { peerId } } }').then((d) => d.validators.items.map((v) => v.peerId).sort())

  afterAll(async () => {
    await observer?.stop().catch(() => undefined)
    if (devnet && devnet.exitCode === null) {
      devnet.kill('SIGINT')
      await new Promise((r) => devnet!.once('exit', r))
    }
  }, 60_000)

  it('hands certification over to the new set, on the nodes and on chain', async () => {
    devnet = spawn(process.execPath, [AGORA_BIN, 'devnet', '--validators', '4', '--miners', '1', '--slot-ms', String(SLOT_MS), '--epoch-slots', String(EPOCH_SLOTS), '--dir', dir], {
      env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    devnet.stdout!.on('data', (d) => { out += d })
    devnet.stderr!.on('data', (d) => { out += d })
    await until('4 nodes deciding blocks', 120_000, async () => {
      const r = readRegistry(dir)
      return !!r && r.nodes.filter((n) => n.status === 'running').length === 4
        && (await Promise.all(r.nodes.map((n) => gql<{ node: { height: number } }>(n, '{ node { height } }')))).every((d) => d.node.height >= 2)
    })
    const [, contract, rpcUrl] = /WeightRegistry at (0x[0-9a-fA-F]{40}) \(chain (\S+)\)/.exec(out) ?? []
    const reader = createChainClient({ rpcUrl: rpcUrl!, address: contract! })

    // 1. Two validators join: their stakes register BLS and EVM keys; both enter the set.
    const add = runCli(['nodes', 'add', '--count', '2', '--dir', dir, '--json'], {}, 180_000)
    expect(add.status, add.stderr).toBe(0)
    const joined = await until('node-5 and node-6 up', 60_000, async () => (node('node-5')?.peerId && node('node-6')?.peerId ? [node('node-5').peerId!, node('node-6').peerId!] : undefined))
    await until('both newcomers in the set', 120_000, async () => (await validators(node('node-3'))).filter((p) => joined.includes(p)).length === 2)

    // 2. Two genesis validators leave.
    const gone = [node('node-1'), node('node-2')]
    const goneKeys = await Promise.all(gone.map((n) => loadKeysFromDataDir(n.dataDir).then((k) => k.keys)))
    // One at a time: each leaves at a boundary, so the set in force never loses a third of its power at once.
    const stayPeers = [node('node-3').peerId!, node('node-4').peerId!, ...joined].sort()
    for (const [id, left] of [['node-1', 1], ['node-2', 2]] as const) {
      const r = runCli(['nodes', 'remove', id, '--dir', dir, '--json'], {}, 120_000)
      expect(r.status, r.stderr).toBe(0)
      await until(`${id} out of the set`, 120_000, async () => {
        const set = await validators(node('node-3'))
        return !set.includes(node(id).peerId!) && set.length === 6 - left
      }).catch(async (e) => {
        const heights = await Promise.all(running().map((n) => gql<{ node: { height: number; epoch: number } }>(n, '{ node { height epoch } }').then((d) => `${n.id}:${d.node.height}/${d.node.epoch}`, () => `${n.id}:down`)))
        throw new Error(`${(e as Error).message} (heights ${heights.join(' ')})`)
      })
    }
    expect(await validators(node('node-3'))).toEqual(stayPeers)
    const handoverEpoch = (await gql<{ node: { epoch: number } }>(node('node-3'), '{ node { epoch } }')).node.epoch

    // 3. The chain follows: the contract holds the new set (certified by the outgoing one) ...
    const stayKeys = await Promise.all(['node-3', 'node-4', 'node-5', 'node-6'].map((id) => loadKeysFromDataDir(node(id).dataDir).then((k) => k.keys)))
    await until('the contract holds the new set', 120_000, async () => {
      const s = await reader.validatorSet()
      return JSON.stringify(s.validators.map((v) => v.address.toLowerCase()).sort()) === JSON.stringify(stayKeys.map((k) => k.evmAddress.toLowerCase()).sort())
    })
    // ... and accepts weights of a later epoch, certified by a quorum including both newcomers.
    const certified = await until('a later epoch certified with both newcomers and on chain', 150_000, async () => {
      const d = await gql<{ checkpoints: { items: { epoch: number; signers: string[] }[] } }>(node('node-3'), '{ checkpoints(first: 50) { items { epoch signers } } }')
      const cp = d.checkpoints.items.find((c) => c.epoch >= handoverEpoch && joined.every((p) => c.signers.includes(p)))
      return cp && (await reader.weightsOf(BigInt(cp.epoch))) ? cp : undefined
    })
    expect(certified.signers.some((s) => gone.some((g) => g.peerId === s))).toBe(false)

    // 4. A certificate by the removed validators alone is refused — by the contract ...
    const last = (await reader.lastEpoch())!
    const m = { chainId: await reader.chainId(), contract: contract!, epoch: last + 1n, uids: [0], weights: [65535] }
    // Sent from a removed validator's own (funded) account.
    const sender = createChainClient({ rpcUrl: rpcUrl!, address: contract!, privateKey: goneKeys[0]!.evmPrivateKey })
    const refused = await sender.submitWeights(m.epoch, m.uids, m.weights, goneKeys.map((k) => signWeights(k.evmPrivateKey, m)))
      .then(() => 'accepted', (e) => (e instanceof ChainRevertError ? e.errorName : String(e)))
    sender.close()
    expect(refused).toBe('NotValidator')
    // ... and by the nodes: a checkpoint record they sign is not stored by any peer.
    const header: CheckpointHeader = { networkId: JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')).networkId, epoch: certified.epoch + 1, height: 1, blockHash: '00', stateRoot: '00', stateCid: 'x', nextSetHash: certificationSetHash({ members: [], total: 0n }) }
    const hh = checkpointHeaderHash(header)
    const agg = aggregateBlsSignatures(goneKeys.map((k) => signBls(k.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(hh))))
    observer = await createAgoraHost({ ed25519Seed: new Uint8Array(32).fill(91), verifyCheckpoint: () => true, bootstrap: node('node-3').multiaddrs })
    await observer.start()
    await until('observer connected', 30_000, async () => observer!.peers().length > 0)
    const put = await observer.dht.putCheckpoint(encodeCheckpointRecord(header, goneKeys.map((k) => k.peerId), agg, { members: [], total: 0n }), { signal: AbortSignal.timeout(15_000) })
    expect(put.peersAccepted).toBe(0)

    // 5. Every running node serves the chain transaction of every epoch on chain (read from the events).
    await until('every node knows every chain tx', 90_000, async () => {
      const onChain = await reader.weightSubmissions(0)
      if (onChain.length === 0) return false
      for (const n of running()) {
        const d = await gql<{ epochs: { items: { epoch: number; chainTx: string | null }[] } }>(n, '{ epochs(first: 200) { items { epoch chainTx } } }')
        const byEpoch = new Map(d.epochs.items.map((e) => [e.epoch, e.chainTx]))
        if (!onChain.every((s) => byEpoch.get(s.epoch) === s.txHash)) return false
      }
      return true
    })
    reader.close()
  }, 600_000)
})
