// TSP challenge: valid tours score by length against the nearest-neighbour reference, invalid ones 0.
import { describe, expect, it } from 'vitest'
import { TSP_CITIES, encodeTour, tspCities, tspGoodTour, tspNearestNeighbourTour, tspPayloads, tspTourLength } from '../../challenges/payloads.ts'
import { runChallenge, seedOf } from './helpers.ts'

const seed = seedOf('tsp-test')

describe('tsp', () => {
  it('scores the nearest-neighbour tour at exactly the reference PPM and reports both lengths', () => {
    const cities = tspCities(seed)
    const nn = tspTourLength(cities, tspNearestNeighbourTour(cities))
    const { score, detail } = runChallenge('tsp', tspPayloads.nearestNeighbour(seed), seed)
    expect(score).toBe(750_000n)
    expect(detail.getBigUint64(0, true)).toBe(BigInt(nn))
    expect(detail.getBigUint64(8, true)).toBe(BigInt(nn))
    expect(detail.getUint8(16)).toBe(0)
  })

  it('scores a better tour higher, with the exact integer formula', () => {
    const cities = tspCities(seed)
    const nn = BigInt(tspTourLength(cities, tspNearestNeighbourTour(cities)))
    const good = BigInt(tspTourLength(cities, tspGoodTour(cities)))
    const { score } = runChallenge('tsp', tspPayloads.good(seed), seed)
    expect(score).toBe((750_000n * nn) / good)
    expect(score).toBeGreaterThan(750_000n)
  })

  it('scores a different seed differently (cities come from the seed)', () => {
    const other = seedOf('tsp-other')
    const a = runChallenge('tsp', tspPayloads.identity(), seed).score
    const b = runChallenge('tsp', tspPayloads.identity(), other).score
    expect(a).not.toBe(b)
  })

  it.each([
    ['duplicate city', tspPayloads.duplicateCity(), 3],
    ['truncated tour', tspPayloads.truncated(), 1],
    ['unknown city', tspPayloads.unknownCity(), 2],
    ['empty payload', new Uint8Array(), 1],
    ['one byte too many', new Uint8Array(TSP_CITIES * 2 + 1), 1],
    ['all zeros (city 0 repeated)', new Uint8Array(TSP_CITIES * 2), 3],
    ['u16 overflow index', encodeTour(Array.from({ length: TSP_CITIES }, (_, i) => (i === 5 ? 65535 : i))), 2],
  ])('invalid payload (%s) scores 0 with a reason', (_name, payload, status) => {
    const { score, detail } = runChallenge('tsp', payload, seed)
    expect(score).toBe(0n)
    expect(detail.getUint8(16)).toBe(status)
  })

  it('adversarial: a huge payload is refused before the challenge runs', async () => {
    const { loadChallenge } = await import('../../challenges/index.ts')
    const { evaluateInProcess } = await import('../../validator/infra/runtime/execute.ts')
    const ch = loadChallenge('tsp')
    const r = evaluateInProcess({ module: ch.module, input: new Uint8Array(1 << 20), seed, policy: ch.policy })
    expect(r.error?.code).toBe('INPUT_TOO_LARGE')
  })
})
