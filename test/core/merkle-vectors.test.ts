// Known answers for the tree's hashing: the incremental-vs-fresh tests would not notice a digest helper
// that is wrong in the same way everywhere (the root below is from the Buffer-digest implementation).
import { describe, expect, it } from 'vitest'
import { sha256 } from '../../core/hash.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { MerkleTree, leafHash, pathOf } from '../../core/merkle.ts'

describe('merkle known answers', () => {
  it('paths and leaf hashes are sha256 of the documented bytes', () => {
    for (const key of ['', 'k', 'forum/account/m1', 'é/ü', 'x'.repeat(200)]) expect(toHex(pathOf(key)), key).toBe(toHex(sha256(utf8(key))))
    const path = pathOf('k1'), value = new Uint8Array([1, 2, 3])
    expect(toHex(leafHash(path, value))).toBe(toHex(sha256(new Uint8Array([0, ...path, ...value]))))
  })

  it('a fixed set of writes and deletes gives a fixed root', () => {
    const t = new MerkleTree()
    for (let i = 0; i < 5000; i++) t.set(pathOf(`k${i}`), leafHash(pathOf(`k${i}`), new Uint8Array([i & 255, 7])))
    for (let i = 0; i < 5000; i += 3) t.delete(pathOf(`k${i}`))
    expect(toHex(t.root())).toBe('b611ceff3faa6bfeda316fef03adc965eed7b7727585cb583bf6ca49ded8497a')
  })
})
