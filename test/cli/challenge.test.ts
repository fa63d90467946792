// `agora challenge publish|deprecate|retire` against a stub node API: what each sends (a signed proposal with
// its module, or a lifecycle post authored by the sender, ids derived from sender and nonce), that
// --pool-fee (and --pool-duration) open the governance pool only once the post is decided, and that a bad
// manifest or option is one error line before anything is sent. (A real network runs the whole lifecycle:
// test/e2e/validator-set.test.ts.)
import { createServer, type Server } from 'node:http'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveNodeKeys } from '../../core/crypto/keys.ts'
import { decode } from '../../core/encoding.ts'
import { userPoolId, userPostId } from '../../ledger/ids.ts'
import { agoraInProcess } from '../helpers/cli.ts'

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
type Sent = { mutation: string; body: Record<string, unknown>; module?: string }

describe('agora challenge', () => {
  let server: Server
  let url = ''
  const sent: Sent[] = []
  /** Posts the stub reports as decided, and how often each was asked for before. */
  const asked = new Map<string, number>()
  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = ''
      req.on('data', (c) => { raw += c })
      req.on('end', () => {
        const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, unknown> }
        const reply = (data: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ data })) }
        const m = /^mutation[^{]*\{\s*(\w+)\(/.exec(query)
        if (m) {
          const tx = variables.tx as { body: string }
          const body = decode<Record<string, unknown>>(new Uint8Array(Buffer.from(tx.body, 'base64')))
          sent.push({ mutation: m[1]!, body, ...(typeof variables.module === 'string' ? { module: variables.module } : {}) })
          return reply({ [m[1]!]: { txId: `tx${sent.length}`, type: body.type, sender: body.sender } })
        }
        // A post is decided the second time it is asked for: the CLI must wait for it.
        const id = variables.id as string
        const n = (asked.get(id) ?? 0) + 1
        asked.set(id, n)
        return reply({ post: n >= 2 ? { id } : null })
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const dir = mkdtempSync(join(tmpdir(), 'agora-challenge-'))
  const module = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0])
  const manifest = { name: 'echo', version: '1.0.0', description: 'echo', entryPoints: ['run'], emissionSharePpm: 100_000, policy: { fuelLimit: 1000, memoryPages: 1, hostFunctions: ['input_read', 'output_write', 'run_nested'], floats: 'deny', maxNestedFuel: 500 } }
  const run = (args: string[]) => agoraInProcess([...args, '--node', url, '--json'], { AGORA_MNEMONIC: MNEMONIC })

  it('publish --pool-fee proposes the signed manifest with its module, then opens the pool on the decided post', async () => {
    const keys = await deriveNodeKeys(MNEMONIC)
    const cdir = join(dir, 'echo')
    mkdirSync(cdir)
    writeFileSync(join(cdir, 'echo.wasm'), module)
    writeFileSync(join(cdir, 'manifest.json'), JSON.stringify(manifest))
    sent.length = 0
    const r = await run(['challenge', 'publish', cdir, '--pool-fee', '10', '--pool-duration', '12'])
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    const [propose, pool] = sent
    expect(sent.map((s) => s.mutation)).toEqual(['proposeChallenge', 'initiatePool'])
    expect(propose!.module).toBe(module.toString('base64'))
    expect(propose!.body).toMatchObject({ type: 'ProposeChallenge', post: userPostId(keys.peerId, propose!.body.nonce as number), signed: { manifest: { ...manifest, moduleHash: createHash('sha256').update(module).digest('hex') } } })
    expect(pool!.body).toMatchObject({ type: 'InitiatePool', post: out.post, fee: '10000000000', durationSlots: 12, id: userPoolId(keys.peerId, pool!.body.nonce as number) })
    expect(asked.get(out.post)).toBe(2)
    expect(out).toMatchObject({ challenge: 'echo', version: '1.0.0', pool: pool!.body.id, poolTx: 'tx2' })
  })

  it('deprecate and retire post the lifecycle step, authored by the sender', async () => {
    const keys = await deriveNodeKeys(MNEMONIC)
    for (const [cmd, to] of [['deprecate', 'deprecated'], ['retire', 'retired']] as const) {
      sent.length = 0
      const r = await run(['challenge', cmd, 'echo'])
      expect(r.status, r.stderr).toBe(0)
      expect(sent).toHaveLength(1)
      expect(sent[0]!.body).toMatchObject({ type: 'Post', id: JSON.parse(r.stdout).post, authors: { [keys.peerId]: 1_000_000 }, payload: { kind: 'challenge', name: 'echo', to } })
    }
  })

  it('refuses a bad manifest, a missing module or a bad --pool-duration with one error line, sending nothing', async () => {
    const bad = join(dir, 'bad')
    mkdirSync(bad)
    writeFileSync(join(bad, 'manifest.json'), JSON.stringify({ ...manifest, policy: { ...manifest.policy, memoryPages: 5000 } }))
    sent.length = 0
    const none = await run(['challenge', 'publish', bad])
    writeFileSync(join(bad, 'x.wasm'), module)
    const big = await run(['challenge', 'publish', bad])
    const noFee = await run(['challenge', 'deprecate', 'echo', '--pool-duration', '12'])
    const badDuration = await run(['challenge', 'retire', 'echo', '--pool-fee', '10', '--pool-duration', 'soon'])
    for (const [r, msg] of [[none, /expected one \.wasm module/], [big, /manifest\.json: policy\.memoryPages: /], [noFee, /--pool-duration needs --pool-fee/], [badDuration, /--pool-duration must be a positive integer/]] as const) {
      expect(r.status).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(msg)
    }
    expect(sent).toHaveLength(0)
  })
})
