import { describe, expect, it } from 'vitest'
import { deriveNodeKeys, checkMnemonic, generateMnemonic } from '../../core/crypto/keys.ts'
import { sealMnemonic, openMnemonic, parseKeystore } from '../../core/keystore.ts'
import { toHex } from '../../core/bytes.ts'
import { ManualClock } from '../../core/clock.ts'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const FAST_SCRYPT = { n: 1 << 10, r: 8, p: 1 }

describe('keys from one mnemonic', () => {
  it('derives the standard EVM address at m/44\'/60\'/0\'/0/0', async () => {
    const k = await deriveNodeKeys(ABANDON)
    expect(k.evmAddress).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94')
  })

  it('same words give the same keys; different words give different ones', async () => {
    const a = await deriveNodeKeys(ABANDON)
    const b = await deriveNodeKeys(`  ${ABANDON.toUpperCase()} `)
    const c = await deriveNodeKeys(generateMnemonic())
    expect([b.peerId, toHex(b.blsPublicKey), b.evmAddress]).toEqual([a.peerId, toHex(a.blsPublicKey), a.evmAddress])
    expect(c.peerId).not.toBe(a.peerId)
    expect(toHex(c.blsPublicKey)).not.toBe(toHex(a.blsPublicKey))
    expect(c.evmAddress).not.toBe(a.evmAddress)
    // keys of one mnemonic are independent of each other (domain separation)
    expect(toHex(a.ed25519Seed)).not.toBe(toHex(a.evmPrivateKey))
  })

  it('refuses a bad checksum or an unknown word with a clear message', () => {
    expect(() => checkMnemonic(ABANDON.replace(/about$/, 'abandon'))).toThrow(/invalid mnemonic: invalid checksum/)
    expect(() => checkMnemonic(ABANDON.replace(/about$/, 'aboot'))).toThrow(/unknown word "aboot"/)
  })
})

describe('keystore', () => {
  it('seals and opens the mnemonic; a wrong password is refused', () => {
    const ks = parseKeystore(JSON.stringify(sealMnemonic(ABANDON, 'pw', {}, FAST_SCRYPT)))
    expect(openMnemonic(ks, 'pw')).toBe(ABANDON)
    expect(() => openMnemonic(ks, 'nope')).toThrow(/wrong keystore password/)
  })

  it('refuses a file that is not a keystore', () => {
    expect(() => parseKeystore('{"version":2}')).toThrow(/unknown format/)
    expect(() => parseKeystore('nope')).toThrow(/not valid JSON/)
  })
})

describe('ManualClock', () => {
  it('fires timers in due order, including timers set while firing', () => {
    const c = new ManualClock(100)
    const fired: string[] = []
    c.setTimer(20, () => fired.push('b'))
    c.setTimer(10, () => { fired.push('a'); c.setTimer(5, () => fired.push('a2')) })
    const t = c.setTimer(15, () => fired.push('never'))
    t.cancel()
    c.advance(30)
    expect(fired).toEqual(['a', 'a2', 'b'])
    expect(c.now()).toBe(130)
  })
})
