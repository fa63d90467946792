// A refused gossip message as a typed error: its code (an enum per domain) and the verdict gossip answers,
// IGNORE when only we may be behind (not the sender's fault) or REJECT when the message is invalid.
// `toVerdict` is the one adapter from a refusal to the gossip validator's answer (consensus, parsig).
import { AgoraError } from '../../core/errors.ts'
import type { ContentVerdict } from '../infra/p2p/gossip.ts'

export type RefusalVerdict = 'ignore' | 'reject'

export class GossipRefusal<C extends string = string> extends AgoraError {
  declare readonly code: C
  constructor(code: C, message: string, readonly verdict: RefusalVerdict) {
    super(code, message)
  }
}

/** The gossip validator's answer: accept, or the refusal's verdict labelled with its code. */
export const toVerdict = (e: GossipRefusal | undefined): 'accept' | ContentVerdict => (e ? { verdict: e.verdict, code: e.code } : 'accept')
