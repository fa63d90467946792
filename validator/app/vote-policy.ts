// The operator's voting policy file, `<dataDir>/vote-policy.json`: loaded and validated where it enters
// (a missing file is the default policy; a bad one is refused with VOTE_POLICY naming the problem), and
// written atomically by `agora gov policy`; a running node rereads it when it changes (votePolicyReader).
// The decision itself is validator/core/pool-voter.ts.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AgoraError, errorMessage } from '../../core/errors.ts'
import { DEFAULT_VOTE_POLICY, VotePolicySchema, type VotePolicy, type VotePolicyInput } from '../core/pool-voter.ts'

export const VOTE_POLICY_FILE = 'vote-policy.json'
/** A policy is a few lists; anything larger is a mistake, not a policy. */
const MAX_POLICY_BYTES = 256 * 1024

export const votePolicyPath = (dataDir: string): string => join(dataDir, VOTE_POLICY_FILE)

/** Validate a policy value (from a file, or edited by the CLI). */
export function parseVotePolicy(input: unknown): VotePolicy {
  const r = VotePolicySchema.safeParse(input)
  if (!r.success) throw new AgoraError('VOTE_POLICY', `invalid vote policy: ${r.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ')}`)
  return r.data
}

/** The node's policy: the file in `dataDir`, or the default when there is none. */
export function loadVotePolicy(dataDir: string): VotePolicy {
  const path = votePolicyPath(dataDir)
  if (!existsSync(path)) return DEFAULT_VOTE_POLICY
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new AgoraError('VOTE_POLICY', `cannot read ${path}: ${errorMessage(e)}`)
  }
  if (text.length > MAX_POLICY_BYTES) throw new AgoraError('VOTE_POLICY', `${path} is larger than ${MAX_POLICY_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new AgoraError('VOTE_POLICY', `${path} is not JSON: ${errorMessage(e)}`)
  }
  return parseVotePolicy(json)
}

/**
 * The node's current policy, reread whenever the file's mtime or size changes (a stat per call: the POOL_VOTE
 * duty calls it once a slot). A file that becomes invalid keeps the last good policy, reported once per
 * change through `onError`; a removed file is the default policy again.
 */
export function votePolicyReader(dataDir: string, onError: (e: unknown) => void): () => VotePolicy {
  const path = votePolicyPath(dataDir)
  const stampOf = () => { try { const st = statSync(path); return `${st.mtimeMs}/${st.size}` } catch { return 'none' } }
  let stamp = stampOf()
  let current = loadVotePolicy(dataDir) // a bad file at start is refused: the operator sees it at once
  return () => {
    const now = stampOf()
    if (now === stamp) return current
    stamp = now
    try { current = loadVotePolicy(dataDir) } catch (e) { onError(e) }
    return current
  }
}

/** Validate and write the policy (temp file + rename, so a node never reads half a file). */
export function saveVotePolicy(dataDir: string, input: VotePolicyInput): VotePolicy {
  const policy = parseVotePolicy(input)
  const path = votePolicyPath(dataDir)
  writeFileSync(`${path}.tmp`, JSON.stringify(policy, null, 2) + '\n', { mode: 0o644 })
  renameSync(`${path}.tmp`, path)
  return policy
}
