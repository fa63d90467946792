// Basic blocks of one function body, as the fuel charges see them: where each starts, its cost, whether
// all its instructions are pure (cannot trap, call, or touch memory, tables or globals) and its
// successors. From that, which charges may leave out their check: see chooseUnchecked.
import { Flow, instructionCost, type Decoded } from './instructions.ts'

export interface Block {
  readonly pos: number
  cost: number
  pure: boolean
  /** Blocks control can go to when this one ends; `null` is the function's exit. */
  readonly succ: (Block | null)[]
  /** Charged without a check (a successor's check catches a deficit before anything observable). */
  unchecked: boolean
  /** Some unchecked block relies on this one's check. */
  pinned: boolean
  /** Loops around it (a loop header counts its own loop): inner blocks run most, so they go first. */
  loops: number
  /** Ends with a `br_if` to a label that carries no values (so the branch can be given code of its own). */
  voidBrIf: boolean
  /** Its cost is charged on its exits instead: in the fall-through block's charge, and on the branch. */
  folded: boolean
  /** Cost folded into this block's charge from the block before it. */
  carry: number
  /** Where a block ending in `br_if` falls through to. */
  fallsTo?: Block
}

interface Frame { readonly kind: number; readonly header?: Block; readonly toEnd: Block[]; ifFrom?: Block; readonly void: boolean }

const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f])

// Pure: locals, global.get, constants, numeric ops other than integer div/rem and trapping float→int
// truncations, select, drop, nop and the control instructions (their targets are blocks themselves).
const IMPURE_NUMERIC = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82, 0xa8, 0xa9, 0xaa, 0xab, 0xae, 0xaf, 0xb0, 0xb1])
export function isPure(op: number): boolean {
  if (op === 0x01 || (op >= 0x02 && op <= 0x05) || (op >= 0x0b && op <= 0x0e)) return true
  if (op === 0x1a || op === 0x1b || op === 0x1c || (op >= 0x20 && op <= 0x23)) return true
  return op >= 0x41 && op <= 0xc4 && !IMPURE_NUMERIC.has(op)
}

/** Tracks blocks while the body is scanned; `onBlock` sees each new block (not the first) in order. */
export function createBlockTracker(bytes: Uint8Array, startPos: number, onBlock: (b: Block) => void) {
  let loops = 0
  const make = (pos: number): Block => ({ pos, cost: 0, pure: true, succ: [], unchecked: false, pinned: false, loops, voidBrIf: false, folded: false, carry: 0 })
  const first = make(startPos)
  const blocks: Block[] = [first]
  const ctrl: Frame[] = []
  let cur = first
  const start = (pos: number, fallthrough: boolean): Block => {
    const prev = cur
    cur = make(pos)
    blocks.push(cur)
    onBlock(cur)
    if (fallthrough) prev.succ.push(cur)
    return prev
  }
  const edge = (from: Block, label: number): void => {
    if (label >= ctrl.length) { from.succ.push(null); return } // the function's own label: exit
    const frame = ctrl[ctrl.length - 1 - label]!
    if (frame.kind === Flow.loop) from.succ.push(frame.header!)
    else frame.toEnd.push(from)
  }
  /** Account one decoded instruction at `pos` that ended at `next`; true at the function's final `end`. */
  const step = (d: Decoded, pos: number, next: number): boolean => {
    cur.cost += instructionCost(d.op)
    if (cur.pure && !isPure(d.op)) cur.pure = false
    // A branch to a block or if carries its results, to a loop its parameters: none for an empty block
    // type, nor for a loop with a single-value type. A type index is taken as carrying values.
    const type = bytes[pos + 1]!
    switch (d.flow) {
      case Flow.block: ctrl.push({ kind: Flow.block, toEnd: [], void: type === 0x40 }); break
      case Flow.loop: loops++; start(next, true); ctrl.push({ kind: Flow.loop, header: cur, toEnd: [], void: type === 0x40 || VALUE_TYPES.has(type) }); break
      case Flow.if: ctrl.push({ kind: Flow.if, ifFrom: start(next, true), toEnd: [], void: type === 0x40 }); break
      case Flow.else: {
        const frame = ctrl[ctrl.length - 1]!
        frame.toEnd.push(start(next, false))
        frame.ifFrom?.succ.push(cur)
        frame.ifFrom = undefined
        break
      }
      case Flow.end: {
        const frame = ctrl.pop()
        if (!frame) { cur.succ.push(null); return true }
        if (frame.kind === Flow.loop) loops--
        if (frame.kind === Flow.if || (frame.kind === Flow.block && frame.toEnd.length > 0)) {
          start(next, true)
          for (const b of frame.toEnd) b.succ.push(cur)
          frame.ifFrom?.succ.push(cur)
        }
        break
      }
      case Flow.br: case Flow.brIf: case Flow.brTable:
        for (const l of d.labels) edge(cur, l)
        if (d.flow === Flow.brIf && d.labels[0]! < ctrl.length && ctrl[ctrl.length - 1 - d.labels[0]!]!.void) cur.voidBrIf = true
        if (d.flow === Flow.brIf) start(next, true).fallsTo = cur
        else start(next, false)
        break
      case Flow.return: cur.succ.push(null); start(next, false); break
      case Flow.unreachable: start(next, false); break
    }
    return false
  }
  return { first, blocks, step, current: (): Block => cur }
}

/**
 * A pure block may skip its check when every block it can go to checks on entry: its instructions
 * cannot trap, call or change anything the host sees, so a deficit it leaves makes the very next check
 * trap, with the same outcome and host calls as trapping at its own entry (only the negative value left
 * in the counter differs). Blocks of cost 0 emit no charge and are looked through. Greedy, innermost
 * loops first, and sound: a block relied on (pinned) never becomes unchecked itself.
 */
export function chooseUnchecked(blocks: Block[]): void {
  const checkedTargets = (b: Block): Block[] | undefined => {
    const out: Block[] = []
    const seen = new Set<Block>()
    const visit = (s: Block | null): boolean => {
      if (s === null || s === b || s.unchecked) return false // never rely on itself (a one-block loop)
      if (s.cost > 0) { out.push(s); return true }
      if (seen.has(s)) return false
      seen.add(s)
      return s.succ.length > 0 && s.succ.every(visit)
    }
    return b.succ.length > 0 && b.succ.every(visit) ? out : undefined
  }
  for (const b of [...blocks].sort((x, y) => y.loops - x.loops)) {
    if (!b.pure || b.cost === 0 || b.pinned) continue
    const targets = checkedTargets(b)
    if (!targets) continue
    b.unchecked = true
    for (const t of targets) t.pinned = true
  }
}

/**
 * An unchecked block ending in `br_if` (say a loop's exit test) need not be charged on its own: its
 * cost joins the charge of the block it falls through to (checked, and entered from nowhere else) and
 * is subtracted on the branch. Every path pays the same fuel at the same checks, one subtraction less
 * per loop iteration. Run after chooseUnchecked.
 */
export function foldBranchCharges(blocks: Block[]): void {
  for (let i = 1; i < blocks.length; i++) { // not the entry block: its charge sits in the prologue
    const b = blocks[i]!
    const next = b.fallsTo
    if (!b.unchecked || !b.voidBrIf || !next || next.cost === 0 || next.unchecked || next.folded) continue
    b.folded = true
    next.carry += b.cost
  }
}
