// The user CLI end to end against a real node's API (test/api/real-node.ts): in process, plus a real
// `./bin/agora.js` child for one JSON output and one error line; --json outputs parsed, and each accepted
// command checked in the node's state after the next block. Errors are the node's own words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AGORA_BIN, agoraInProcess, type CliResult } from '../helpers/cli.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { utf8 } from '../../core/bytes.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'
import { signTransaction } from '../../validator/api/client.ts'
import { ABANDON, gql } from './helpers.ts'
import { seedHistory, startRealNet, type History, type RealNet } from './real-node.ts'

let net: RealNet
let h: History
let dir: string
/** A pool open for the whole file (the history's own pool is resolved). */
let pool0: string
beforeAll(async () => {
  net = await startRealNet()
  await net.produce(1)
  h = await seedHistory(net)
  // Signed here before the CLI runs: its nonces are microseconds since 1970, after which small ones are stale.
  const nonce = h.nonce + 1
  pool0 = userPoolId(net.user.peerId, nonce)
  const tx = signTransaction(net.user.ed25519Seed, { type: 'InitiatePool', sender: net.user.peerId, nonce, id: pool0, post: h.post, fee: '1000000000', durationSlots: 5_000 })
  const r = await gql(net.url, `mutation($tx: SignedTxInput!) { initiatePool(tx: $tx) { txId } }`, { tx })
  expect(r.errors).toBeUndefined()
  await net.produce()
  dir = mkdtempSync(join(tmpdir(), 'agora-api-cli-'))
}, 90_000)
afterAll(async () => { await net?.close() })

/** In process by default (the server runs here too); `spawned` runs the real bin/agora.js, asynchronously so the
 *  server keeps answering — kept for one JSON output and one error line, to prove the entry point. */
function agora(args: string[], env: Record<string, string> = { AGORA_MNEMONIC: ABANDON }, spawned = false): Promise<CliResult> {
  const argv = [...args, ...(args[0] === 'init' ? [] : ['--node', net.url])]
  if (!spawned) return agoraInProcess(argv, { AGORA_MNEMONIC: '', ...env })
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGORA_BIN, ...argv], {
      env: { ...process.env, NO_COLOR: '1', AGORA_MNEMONIC: '', ...env }, timeout: 60_000,
    })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}
const json = async (args: string[], env?: Record<string, string>, spawned = false) => {
  const r = await agora([...args, '--json'], env, spawned)
  expect(r.stderr, r.stderr).toBe('')
  expect(r.status).toBe(0)
  return JSON.parse(r.stdout)
}
const query = async (q: string, v: Record<string, unknown> = {}) => (await gql(net.url, q, v)).data

describe('agora user commands against a node API', () => {
  it('submit --challenge --payload: accepted, then in state; an unknown challenge is one error line', async () => {
    const file = join(dir, 'payload.bin')
    writeFileSync(file, 'forty two')
    const r = await json(['submit', '--challenge', 'pow', '--payload', file], undefined, true)
    expect(r).toMatchObject({ type: 'Submission', sender: net.user.peerId, payloadCid: cidOfBytes(utf8('forty two')) })
    await net.produce()
    const s = await query(`query($m: String!) { submissions(miner: $m) { items { id payloadCid challenge } } }`, { m: net.user.peerId })
    expect(s.submissions.items).toContainEqual({ id: submissionIdOf('pow', r.payloadCid), payloadCid: r.payloadCid, challenge: 'pow' })

    const bad = await agora(['submit', '--challenge', 'nope', '--payload', file], undefined, true)
    expect(bad.status).toBe(1)
    // The ledger's admission words (ledger/admission.ts), not a fake's.
    expect(bad.stderr.trim()).toMatch(/^error: UNKNOWN_CHALLENGE: challenge nope is not active$/)
  })

  it('forum post (short inline text and long text by cid) with citations', async () => {
    const p0 = h.post
    const r = await json(['forum', 'post', '--title', 'Raise committee size', '--content', 'to 5', '--cite', `${p0}:250000`, '--cite', `${p0}:0.1`])
    // Post ids derive from the sender and the nonce (ledger/ids.ts); the receipt names it.
    expect(r).toMatchObject({ type: 'Post', post: userPostId(net.user.peerId, r.nonce) })
    const long = await json(['forum', 'post', '--title', 'Essay', '--content', 'x'.repeat(500), '--cite', `${p0}:-0.5`])
    await net.produce()
    const d = await query(`query($a: String!, $id: String!) { a: post(id: $a) { content authors { member weightPpm } citations { post weightPpm } } b: post(id: $id) { content citations { weightPpm } } }`, { a: r.post, id: long.post })
    expect(d.a).toEqual({ content: 'Raise committee size\n\nto 5', authors: [{ member: net.user.peerId, weightPpm: 1_000_000 }], citations: [{ post: p0, weightPpm: 100_000 }] })
    expect(d.b.content).toMatch(/^baf/) // the text went inline as the post's content payload
    expect(d.b.citations).toEqual([{ weightPpm: -500_000 }])
  })

  it('pool stake --for/--against and availability stake, signed from a keystore data dir', async () => {
    const dataDir = join(dir, 'keys')
    const init = await agora(['init', '--data-dir', dataDir, '--mnemonic', ABANDON, '--json'], { AGORA_PASSWORD: 'pw' })
    expect(init.status).toBe(0)
    const s = await json(['pool', 'stake', pool0, '--for', '2.5', '--data-dir', dataDir], { AGORA_PASSWORD: 'pw' })
    expect(s).toMatchObject({ type: 'Stake', pool: pool0 })
    const a = await json(['availability', 'stake', '10', '--epochs', '3'])
    expect(a.type).toBe('StakeAvailability')
    await net.produce()
    const d = await query(`query($p: String!) { pool(id: $p) { stakes { member amount inFavor } } availability { items { member amount } } }`, { p: pool0 })
    expect(d.pool.stakes).toContainEqual({ member: net.user.peerId, amount: '2.5', inFavor: true })
    expect(d.availability.items).toContainEqual({ member: net.user.peerId, amount: '10' })

    const [both, broke] = await Promise.all([
      agora(['pool', 'stake', pool0, '--for', '1', '--against', '1']),
      agora(['pool', 'stake', pool0, '--against', '5000']),
    ])
    expect(both.status).toBe(1)
    expect(both.stderr).toMatch(/cannot be used with/)
    expect(broke.stderr).toMatch(/^error: INSUFFICIENT_REP: .* stakes 5000 REP but has [\d.]+ free/)
  })

  it('challenge publish <dir> signs the manifest and proposes it with the module', async () => {
    const cdir = join(dir, 'echo')
    mkdirSync(cdir)
    writeFileSync(join(cdir, 'echo.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]))
    writeFileSync(join(cdir, 'manifest.json'), JSON.stringify({
      name: 'echo', version: '1.0.0', description: 'echo', entryPoints: ['run'],
      policy: { fuelLimit: 1000, memoryPages: 1, hostFunctions: ['input_read', 'output_write'], floats: 'deny' }, emissionSharePpm: 100000,
    }))
    const r = await json(['challenge', 'publish', cdir])
    expect(r).toMatchObject({ type: 'ProposeChallenge', challenge: 'echo', version: '1.0.0', post: userPostId(net.user.peerId, r.nonce) })
    await net.produce()
    expect((await query(`{ challenge(id: "echo") { status moduleHash } }`)).challenge).toEqual({ status: 'proposed', moduleHash: r.moduleHash })
  })

  it('status, weights and checkpoint (--json and tables)', async () => {
    const view = net.nodes[0]!.node.view
    const certified = view.info().lastCertifiedEpoch!
    const [st, table, latest, wt, missing, c1] = await Promise.all([
      json(['status'], {}), agora(['status'], {}), json(['weights'], {}), agora(['weights', '--epoch', String(h.epoch)], {}),
      agora(['weights', '--epoch', '9999'], {}), json(['checkpoint', '--epoch', String(certified)], {}),
    ])
    expect(st).toMatchObject({ peerId: net.nodes[0]!.keys.peerId, synced: true, validatorCount: 1, lastCertifiedEpoch: certified })
    expect(st.height).toBe(view.info().height)
    expect(table.stdout).toMatch(/^height\s+\d+$/m)
    // The default is the newest epoch with certified weights, not the newest record (often just closed).
    const withWeights = view.epochs({ first: 16 }).items.find((e) => e.uids.length > 0 && e.certificateSigners.length > 0)
    expect(latest.epoch).toBe(withWeights!.epoch)
    expect(latest.uids.length).toBeGreaterThan(0)
    expect(wt.stdout).toMatch(new RegExp(`^epoch\\s+${h.epoch}$`, 'm'))
    expect(wt.stdout).toMatch(new RegExp(`^0\\s+${net.user.peerId}\\s+65535$`, 'm'))
    expect(missing.stderr.trim()).toBe('error: no weights for epoch 9999')
    expect(c1).toMatchObject({ epoch: certified, signers: [net.nodes[0]!.keys.peerId] })
  })
})
