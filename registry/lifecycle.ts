// Challenge lifecycle: proposed → active → deprecated → retired, plus upgrades (a newer signed manifest
// replaces an active one). Pure: the forum calls `applyTransition` only when a pool on the governing post
// passes, so no step happens any other way. A proposal whose pool fails is withdrawn, and a retired name
// is free again: neither blocks the name for ever.
import { AgoraError } from '../core/errors.ts'
import { checkPolicyLimits, compareSemver, type ChallengeManifest, type PolicyLimits, type SignedManifest } from './manifest.ts'

export type ChallengeStatus = 'proposed' | 'active' | 'deprecated' | 'retired'
export const CHALLENGE_STATUSES: readonly ChallengeStatus[] = ['proposed', 'active', 'deprecated', 'retired']

export interface ChallengeEntry {
  name: string
  status: ChallengeStatus
  manifest: ChallengeManifest
  signature: string
  /** A newer version proposed while this one is active or deprecated; it replaces `manifest` on activation. */
  upgrade?: SignedManifest
  /** Slot of the last status change. */
  since: number
}

/** Registry state: entries keyed by challenge name. Iterate with `sortedEntries` (never Map order). */
export interface RegistryState { challenges: Map<string, ChallengeEntry> }

export const emptyRegistry = (): RegistryState => ({ challenges: new Map() })

export function cloneRegistry(r: RegistryState): RegistryState {
  return { challenges: new Map([...r.challenges].map(([k, e]) => [k, { ...e }])) }
}

const NEXT: Readonly<Record<ChallengeStatus, readonly ChallengeStatus[]>> = {
  proposed: ['active'],
  active: ['deprecated', 'active'], // active → active only as an upgrade
  deprecated: ['retired'],
  retired: [],
}

/** Check that a signed (already verified) manifest may be proposed; returns what `addProposal` will do. */
export function checkProposal(reg: RegistryState, signed: SignedManifest): 'new' | 'upgrade' {
  const { name, version, owner } = signed.manifest
  const cur = reg.challenges.get(name)
  if (!cur || cur.status === 'retired') return 'new'
  if (cur.status === 'proposed') throw new AgoraError('REGISTRY', `challenge ${name} is already proposed`)
  if (cur.manifest.owner !== owner) throw new AgoraError('REGISTRY', `challenge ${name}: an upgrade must be signed by the same owner`)
  if (compareSemver(version, cur.manifest.version) <= 0) throw new AgoraError('REGISTRY', `challenge ${name}: upgrade ${version} is not newer than ${cur.manifest.version}`)
  return 'upgrade'
}

export function addProposal(reg: RegistryState, signed: SignedManifest, slot: number): void {
  const kind = checkProposal(reg, signed)
  if (kind === 'new') {
    reg.challenges.set(signed.manifest.name, { name: signed.manifest.name, status: 'proposed', manifest: signed.manifest, signature: signed.signature, since: slot })
  } else {
    reg.challenges.get(signed.manifest.name)!.upgrade = signed
  }
}

/**
 * Throws REGISTRY unless `name` may move to `to` now (an active → active step needs a pending upgrade);
 * BAD_MANIFEST when the manifest that would activate is outside the `limits` in force (they may have
 * changed since it was proposed: a shorter backstop, a lower fuel ceiling).
 */
export function checkTransition(reg: RegistryState, name: string, to: ChallengeStatus, limits: PolicyLimits, version?: string): void {
  const cur = reg.challenges.get(name)
  if (!cur) throw new AgoraError('REGISTRY', `unknown challenge ${name}`)
  if (!NEXT[cur.status].includes(to)) throw new AgoraError('REGISTRY', `challenge ${name}: ${cur.status} → ${to} is not a lifecycle step`)
  if (cur.status === 'active' && to === 'active') {
    if (!cur.upgrade || (version !== undefined && cur.upgrade.manifest.version !== version)) {
      throw new AgoraError('REGISTRY', `challenge ${name}: no pending upgrade${version ? ` to ${version}` : ''}`)
    }
  }
  if (to === 'active') {
    // Emission shares of active challenges may not exceed 100 %.
    const incoming = cur.status === 'active' ? cur.upgrade!.manifest : cur.manifest
    checkPolicyLimits(incoming, limits)
    let total = incoming.emissionSharePpm
    for (const e of reg.challenges.values()) if (e.status === 'active' && e.name !== name) total += e.manifest.emissionSharePpm
    if (total > 1_000_000) throw new AgoraError('REGISTRY', `challenge ${name}: active emission shares would sum to ${total} ppm > 1000000`)
  }
}

/**
 * The pool on a proposal's post failed: a still-proposed entry is removed (its name may be proposed
 * again), a pending upgrade to `version` is dropped. Anything else is left alone.
 */
export function rejectProposal(reg: RegistryState, name: string, version: string | undefined): boolean {
  const cur = reg.challenges.get(name)
  if (!cur) return false
  if (cur.status === 'proposed' && (version === undefined || cur.manifest.version === version)) {
    reg.challenges.delete(name)
    return true
  }
  if (cur.upgrade && (version === undefined || cur.upgrade.manifest.version === version)) {
    delete cur.upgrade
    return true
  }
  return false
}

export function applyTransition(reg: RegistryState, name: string, to: ChallengeStatus, slot: number, limits: PolicyLimits, version?: string): void {
  checkTransition(reg, name, to, limits, version)
  const cur = reg.challenges.get(name)!
  if (cur.status === 'active' && to === 'active') {
    cur.manifest = cur.upgrade!.manifest
    cur.signature = cur.upgrade!.signature
    delete cur.upgrade
  }
  cur.status = to
  cur.since = slot
}

export function sortedEntries(reg: RegistryState): ChallengeEntry[] {
  return [...reg.challenges.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Active challenges, sorted by name: what the scheduler evaluates and the weights are computed over. */
export const activeChallenges = (reg: RegistryState): ChallengeEntry[] => sortedEntries(reg).filter((e) => e.status === 'active')
