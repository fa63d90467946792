// Posts: authors with PPM weights summing to 1e6, citations of earlier posts (or the incinerator) with
// non-zero weights in [-1e6, 1e6] whose absolute sum is at most revaluationLimitPpm.
import { PPM } from '../core/amount.ts'
import { AgoraError } from '../core/errors.ts'
import type { MemberId, PostId } from '../core/ids.ts'
import { checkPayload } from './governance.ts'
import { sortedEntries, type ForumState, type PostRecord } from './state.ts'
import { INCINERATOR, MAX_AUTHORS, MAX_CITATIONS, MEMBER_ID_RE, SYSTEM_SENDER, type PostPayload } from './tx.ts'

export interface NewPost {
  id: PostId
  sender: MemberId
  authors: Readonly<Record<string, number>>
  citations: Readonly<Record<string, number>>
  payload?: PostPayload
  content?: string
}

/** Check a post against the state; returns the record to insert (nothing is mutated). */
export function checkPost(s: ForumState, p: NewPost): PostRecord {
  if (p.id === INCINERATOR || s.posts.has(p.id)) throw new AgoraError('DUPLICATE', `post ${p.id} already exists`)
  const authors = sortedEntries(p.authors)
  if (authors.length === 0 || authors.length > MAX_AUTHORS) throw new AgoraError('BAD_POST', `post ${p.id}: 1..${MAX_AUTHORS} authors required`)
  let sum = 0n
  for (const [m, w] of authors) {
    if (!MEMBER_ID_RE.test(m)) throw new AgoraError('BAD_POST', `post ${p.id}: invalid author id ${JSON.stringify(m)}`)
    if (!Number.isSafeInteger(w) || w <= 0) throw new AgoraError('BAD_POST', `post ${p.id}: author weight must be a positive integer`)
    sum += BigInt(w)
  }
  if (sum !== PPM) throw new AgoraError('BAD_POST', `post ${p.id}: author weights sum to ${sum}, not 1000000`)
  if (p.sender !== SYSTEM_SENDER && !(p.sender in p.authors)) throw new AgoraError('FORBIDDEN', `post ${p.id}: sender ${p.sender} is not an author`)
  const citations = sortedEntries(p.citations)
  if (citations.length > MAX_CITATIONS) throw new AgoraError('BAD_POST', `post ${p.id}: more than ${MAX_CITATIONS} citations`)
  let abs = 0
  for (const [c, w] of citations) {
    if (!Number.isSafeInteger(w) || w === 0 || w < -1_000_000 || w > 1_000_000) throw new AgoraError('BAD_POST', `post ${p.id}: citation weight of ${c} must be a non-zero integer in [-1000000, 1000000]`)
    if (c === INCINERATOR) { if (w < 0) throw new AgoraError('BAD_POST', `post ${p.id}: the incinerator can only be cited positively`) }
    else if (!s.posts.has(c as PostId)) throw new AgoraError('UNKNOWN_POST', `post ${p.id} cites unknown post ${c}`)
    abs += Math.abs(w)
  }
  if (abs > s.params.revaluationLimitPpm) throw new AgoraError('BAD_POST', `post ${p.id}: citation weights sum to ${abs} ppm > revaluationLimitPpm ${s.params.revaluationLimitPpm}`)
  if (p.payload) checkPayload(s, p.payload)
  const rec: PostRecord = {
    id: p.id, sender: p.sender,
    authors: authors.map(([m, w]) => ({ member: m as MemberId, weightPpm: w })),
    citations: citations.map(([c, w]) => ({ post: c as PostId, weightPpm: w, flow: 0n })),
    value: 0n, createdSlot: s.slot,
  }
  if (p.payload) rec.payload = p.payload
  if (p.content !== undefined) rec.content = p.content
  return rec
}

export function addPost(s: ForumState, p: NewPost): PostRecord {
  const rec = checkPost(s, p)
  s.posts.set(rec.id, rec)
  return rec
}
