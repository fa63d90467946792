// The instance driver end to end with real signatures: an in-memory network of 4, a restart that resumes
// from the signer store, the store's refusal to sign another value, and the wire codec.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../core/clock.ts'
import { hashValue } from '../../core/encoding.ts'
import {
  type ConsensusMessage, decodeConsensusMessage, encodeConsensusMessage, type Instance, linearTimeout, memorySignerStore,
  MsgType, type SignerStore, startInstance, verifyCertificate,
} from '../../validator/consensus/index.ts'
import { fixture, H } from './helpers.ts'

const f = fixture([1n, 1n, 1n, 1n])

async function network(opts: { drop?: (to: string, m: ConsensusMessage<string>) => boolean; stores?: Map<string, SignerStore<string>> } = {}) {
  const clock = new ManualClock()
  const nodes = new Map<string, Instance<string>>()
  const decided = new Map<string, string>()
  // Checked by the tests, not inside decide (the instance catches errors thrown there).
  const certificateValid = new Map<string, boolean>()
  const inflight: [string, ConsensusMessage<string>][] = []
  for (const id of f.ids) {
    const inst = await startInstance<string>({ height: H }, {
      definition: {
        instance: 'block', set: f.set, roundTimeout: linearTimeout(1000, 500),
        validateValue: (_h, v) => v.startsWith('ok'),
        decide: (_h, v, cert) => { decided.set(id, v); certificateValid.set(id, verifyCertificate(hashValue(v), cert, f.set)) },
      },
      transport: { broadcast: (m) => { for (const to of f.ids) if (to !== id && !opts.drop?.(to, m)) inflight.push([to, m]) } },
      signer: f.signers.get(id)!, store: opts.stores?.get(id) ?? memorySignerStore(), clock,
    })
    nodes.set(id, inst)
  }
  /** Delivers what is in flight (only the messages `which` picks, when given), and what that sends in turn. */
  // `settled: false` does not wait for a receiver to finish (one may be stuck on its store), only a turn.
  const pump = async (which?: (m: ConsensusMessage<string>) => boolean, o: { settled?: boolean } = {}) => {
    for (let i = 0; i < inflight.length;) {
      const [to, m] = inflight[i]!
      if (which && !which(m)) { i++; continue }
      inflight.splice(i, 1)
      const done = nodes.get(to)!.deliver(m)
      await (o.settled === false ? new Promise((r) => setImmediate(r)) : done)
    }
    if (o.settled === false) await new Promise((r) => setImmediate(r))
  }
  /** Moves the clock and lets every instance handle the timeouts that fired. */
  const advance = async (ms: number) => {
    clock.advance(ms)
    for (const inst of nodes.values()) await inst.idle()
  }
  return { clock, nodes, decided, certificateValid, pump, advance }
}

describe('instance', () => {
  it('four validators decide the leader value in round 0', async () => {
    const net = await network()
    for (const [id, inst] of net.nodes) await inst.input(`ok-${id}`)
    await net.pump()
    expect(net.decided.size).toBe(4)
    expect(new Set(net.decided.values())).toEqual(new Set([`ok-${f.set.leader(H, 0)}`]))
    expect([...net.certificateValid.values()]).toEqual([true, true, true, true])
    for (const inst of net.nodes.values()) expect((await inst.decided).certificate.round).toBe(0)
  })

  it('a silent leader is replaced after the round timer', async () => {
    const leader = f.set.leader(H, 0)
    const net = await network({ drop: (_to, m) => m.kind === 'vote' && m.signed.signer === leader })
    for (const [id, inst] of net.nodes) await inst.input(`ok-${id}`)
    await net.pump()
    expect(net.decided.size).toBe(0)
    net.clock.advance(1000)
    for (const inst of net.nodes.values()) await inst.idle()
    await net.pump()
    const others = f.ids.filter((id) => id !== leader)
    for (const id of others) expect(net.decided.get(id)).toBe(`ok-${f.set.leader(H, 1)}`)
    for (const id of others) {
      expect(net.certificateValid.get(id)).toBe(true)
      expect((await net.nodes.get(id)!.decided).certificate.round).toBe(1)
    }
  })

  it('a live but slow round is not cut short: its timer runs again when the proposal is accepted and when prepared', async () => {
    // Each phase's messages arrive 0.8 of a round timer after the last (a loaded machine): the round takes
    // 2.4 timers. Before, every node's timer ran from its start only and fired at 1.0: a round change. The
    // leader accepts its own proposal at once, so its timer still fires before its prepares come back;
    // the other three are a quorum and decide round 0 (the leader too, from their commits).
    const net = await network()
    const type = (t: number) => (m: ConsensusMessage<string>) => m.kind === 'vote' && m.signed.vote.type === t
    for (const [id, inst] of net.nodes) await inst.input(`ok-${id}`)
    for (const phase of [MsgType.PRE_PREPARE, MsgType.PREPARE, MsgType.COMMIT]) {
      await net.advance(800)
      await net.pump(type(phase))
    }
    expect(net.decided.size).toBe(4)
    for (const [id, inst] of net.nodes) {
      expect((await inst.decided).certificate.round).toBe(0)
      if (id !== f.set.leader(H, 0)) expect(inst.core.round).toBe(0)
    }
  })

  it('a node whose durable vote record is slow still counts the others and decides from their commits', async () => {
    // Its PREPARE's synced write does not return (a loaded disk). Before, its instance waited on that write
    // and handled none of the others' votes meanwhile; now its votes leave through their own queue.
    const slow = f.ids.find((id) => id !== f.set.leader(H, 0))!
    let release!: () => void
    const gate = new Promise<void>((r) => { release = r })
    const base = memorySignerStore<string>()
    const gated: SignerStore<string> = {
      ...base,
      recordSigned: async (height, round, type, valueHash) => { if (type === MsgType.PREPARE) await gate; return base.recordSigned(height, round, type, valueHash) },
    }
    const net = await network({ stores: new Map([[slow, gated]]) })
    for (const [id, inst] of net.nodes) void inst.input(`ok-${id}`)
    const deadline = Date.now() + 3_000
    while (!net.decided.has(slow) && Date.now() < deadline) await net.pump(undefined, { settled: false })
    release()
    expect(net.decided.size).toBe(4)
    expect(net.decided.get(slow)).toBe(`ok-${f.set.leader(H, 0)}`)
  })

  it('resumes from the signer store after a restart and refuses to sign another value', async () => {
    const store = memorySignerStore<string>()
    expect(await store.recordSigned(H, 0, MsgType.PREPARE, hashValue('ok-a'))).toBe(true)
    expect(await store.recordSigned(H, 0, MsgType.PREPARE, hashValue('ok-a'))).toBe(true)
    expect(await store.recordSigned(H, 0, MsgType.PREPARE, hashValue('ok-b'))).toBe(false)
    await store.savePrepared(H, { round: 2, valueHash: hashValue('ok-a'), value: 'ok-a', justification: [] })
    await store.recordSigned(H, 3, MsgType.ROUND_CHANGE, new Uint8Array([1]))
    expect(await store.loadResume(H)).toMatchObject({ round: 3, prepared: { round: 2, value: 'ok-a' } })
    expect(await store.loadResume(H + 1)).toBeUndefined()

    const resumed = await network({ stores: new Map([[f.ids[0]!, store]]) })
    expect(resumed.nodes.get(f.ids[0]!)!.core.round).toBe(3)
    expect(resumed.nodes.get(f.ids[0]!)!.core.prepared?.value).toBe('ok-a')

    // A node that signed a PREPARE for 'ok-a' in round 0 before its restart never prepares another value there.
    const follower = f.ids.find((id) => id !== f.set.leader(H, 0))!
    const before = memorySignerStore<string>()
    await before.recordSigned(H, 0, MsgType.PREPARE, hashValue('ok-a'))
    const sent: ConsensusMessage<string>[] = []
    const net = await network({ stores: new Map([[follower, before]]), drop: (_to, m) => { sent.push(m); return false } })
    await net.nodes.get(f.set.leader(H, 0))!.input('ok-leader')
    await net.pump()
    const prepares = (signer: string) => sent.filter((m) => m.kind === 'vote' && m.signed.signer === signer && m.signed.vote.type === MsgType.PREPARE)
    expect(prepares(follower)).toEqual([])
    expect(prepares(f.ids.find((id) => id !== follower)!).length).toBeGreaterThan(0)
  })

  it('round-trips messages through the wire codec and rejects malformed ones', async () => {
    const sent: ConsensusMessage<string>[] = []
    const net = await network({ drop: (_to, m) => { sent.push(m); return false } })
    for (const [id, inst] of net.nodes) await inst.input(`ok-${id}`)
    await net.pump()
    const parse = (raw: unknown) => { if (typeof raw !== 'string') throw new Error('value must be a string'); return raw }
    for (const m of sent) expect(decodeConsensusMessage(encodeConsensusMessage(m), parse)).toEqual(m)
    const pp = sent.find((m) => m.kind === 'vote' && m.signed.vote.type === MsgType.PRE_PREPARE)!
    expect(() => decodeConsensusMessage(encodeConsensusMessage({ ...pp, value: 5 as unknown as string }), parse)).toThrow(/value must be a string/)
    expect(() => decodeConsensusMessage(encodeConsensusMessage({ ...pp, extra: 1 } as never), parse)).toThrow(/BAD_MESSAGE|consensus message/)
    expect(() => decodeConsensusMessage(new Uint8Array([0xff]), parse)).toThrow()
  })
})
