// Scheduler: turns the clock into slots and epochs and emits duties. Slot length and epoch length are
// governed parameters that change only at epoch boundaries, so time is a list of segments, each starting
// at an epoch boundary with its own slot length. Replicated state never reads this; it reads slot numbers
// from decided block headers.
import type { Clock, Timer } from '../../core/clock.ts'

export interface ScheduleSegment {
  /** First slot of the segment (an epoch boundary). */
  readonly fromSlot: number
  readonly startMs: number
  readonly slotMs: number
  readonly epochSlots: number
  /** Epoch number of `fromSlot`. */
  readonly fromEpoch: number
}

export interface SlotInfo { readonly slot: number; readonly epoch: number; readonly slotStartMs: number; readonly firstOfEpoch: boolean }

export class Schedule {
  private readonly segments: ScheduleSegment[]
  constructor(genesisTimeMs: number, slotMs: number, epochSlots: number) {
    this.segments = [{ fromSlot: 0, startMs: genesisTimeMs, slotMs, epochSlots, fromEpoch: 0 }]
  }

  /** Slot length / epoch length change from the start of `epoch` on (governance, applied at a boundary). */
  changeFromEpoch(epoch: number, slotMs: number, epochSlots: number): void {
    const last = this.segments[this.segments.length - 1]!
    if (epoch < last.fromEpoch) throw new Error(`schedule change for past epoch ${epoch}`)
    if (epoch === last.fromEpoch) { this.segments.pop(); this.segments.push({ ...last, slotMs, epochSlots }); return }
    const fromSlot = last.fromSlot + (epoch - last.fromEpoch) * last.epochSlots
    this.segments.push({ fromSlot, startMs: last.startMs + (fromSlot - last.fromSlot) * last.slotMs, slotMs, epochSlots, fromEpoch: epoch })
  }

  private segmentOfSlot(slot: number): ScheduleSegment {
    for (let i = this.segments.length - 1; i >= 0; i--) if (this.segments[i]!.fromSlot <= slot) return this.segments[i]!
    return this.segments[0]!
  }

  slotAt(nowMs: number): number {
    let seg = this.segments[0]!
    for (const s of this.segments) if (s.startMs <= nowMs) seg = s
    if (nowMs < seg.startMs) return 0
    return seg.fromSlot + Math.floor((nowMs - seg.startMs) / seg.slotMs)
  }

  info(slot: number): SlotInfo {
    const s = this.segmentOfSlot(slot)
    const rel = slot - s.fromSlot
    return { slot, epoch: s.fromEpoch + Math.floor(rel / s.epochSlots), slotStartMs: s.startMs + rel * s.slotMs, firstOfEpoch: rel % s.epochSlots === 0 }
  }

  epochOf(slot: number): number { return this.info(slot).epoch }
  slotMs(slot: number): number { return this.segmentOfSlot(slot).slotMs }
  firstSlotOfEpoch(epoch: number): number {
    let seg = this.segments[0]!
    for (const s of this.segments) if (s.fromEpoch <= epoch) seg = s
    return seg.fromSlot + (epoch - seg.fromEpoch) * seg.epochSlots
  }
}

/** Calls `onSlot` at the start of every slot from now on (never twice for one slot, never backwards). */
export function startSlotTicker(schedule: Schedule, clock: Clock, onSlot: (s: SlotInfo) => void): { stop(): void } {
  let timer: Timer | undefined
  let last = -1
  let stopped = false
  const tick = () => {
    if (stopped) return
    const slot = schedule.slotAt(clock.now())
    if (slot > last) { last = slot; onSlot(schedule.info(slot)) }
    const next = schedule.info(slot + 1).slotStartMs
    timer = clock.setTimer(Math.max(1, next - clock.now()), tick)
  }
  tick()
  return { stop() { stopped = true; timer?.cancel() } }
}
