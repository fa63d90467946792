// Cheap deterministic vote "signatures" for the simulator only: sha256(secret ‖ vote) behind the same
// VoteSigner / VoteVerifier interface as ed25519 (the unit tests and the node use real ed25519). The
// simulated adversary never sees honest secrets, so it cannot forge here either.
import { toHex, utf8, concatBytes } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { ed25519PublicKey } from '../../core/crypto/sign.ts'
import { ed25519VoteSigner, verifyVoteEd25519, type VoteSigner, type VoteVerifier, type Vote } from '../../validator/consensus/index.ts'

export interface SimCrypto {
  publicKey(id: string): Uint8Array
  signer(id: string): VoteSigner
  verify: VoteVerifier
}

const voteString = (v: Vote) => `${v.instance}|${v.height}|${v.round}|${v.type}|${toHex(v.valueHash)}|${v.preparedRound}|${toHex(v.preparedValueHash)}`

export function fastSimCrypto(ids: readonly string[]): SimCrypto {
  const secrets = new Map<string, Uint8Array>()
  const byPub = new Map<string, Uint8Array>()
  for (const id of ids) {
    const secret = sha256(utf8(`agora-sim-secret/${id}`))
    secrets.set(id, secret)
    byPub.set(toHex(sha256(secret)), secret)
  }
  const mac = (secret: Uint8Array, v: Vote) => concatBytes(sha256(concatBytes(secret, utf8(voteString(v)))), new Uint8Array(32))
  return {
    publicKey: (id) => sha256(secrets.get(id)!),
    signer: (id) => ({ id, sign: (v) => mac(secrets.get(id)!, v) }),
    verify(pub, v, sig) {
      const secret = byPub.get(toHex(pub))
      if (!secret || sig.length !== 64) return false
      const want = mac(secret, v)
      for (let i = 0; i < 64; i++) if (want[i] !== sig[i]) return false
      return true
    },
  }
}

export function ed25519SimCrypto(ids: readonly string[]): SimCrypto {
  const seeds = new Map(ids.map((id) => [id, sha256(utf8(`agora-sim-ed25519/${id}`))]))
  return {
    publicKey: (id) => ed25519PublicKey(seeds.get(id)!),
    signer: (id) => ed25519VoteSigner(id, seeds.get(id)!),
    verify: verifyVoteEd25519,
  }
}
