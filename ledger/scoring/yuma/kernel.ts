// Host of the WASM Yuma kernel (./wasm/kernel.as.ts, built to ./wasm/kernel-bytes.ts by tools/yuma-kernel-build.ts): copies
// one epoch's u16 rows and stakes into the kernel's memory, runs the per-column pass, and reads the
// results back. The module is compiled once per process from the committed bytes (no network, no build at
// run time); its integer arithmetic gives the same results on every machine.
import { KERNEL_WASM_BASE64 } from './wasm/kernel-bytes.ts'
import { type Fixed } from '../fixed.ts'
import { type LiquidAlphaRate } from './liquid.ts'

/** u16 rows: plain arrays (as given) or Uint16Arrays (as a previous epoch stored its bonds); validated by the caller. */
export type U16Rows = readonly ArrayLike<number>[]

interface Exports {
  readonly memory: WebAssembly.Memory
  layout(rows: number, cols: number): void
  weights(): number
  bonds(): number
  stored(): number
  stake(): number
  self(): number
  preranks(): number
  consensus(): number
  ranks(): number
  trust(): number
  incentive(): number
  bondValue(): number
  columns(kappa: number, flags: number, penalty: number, alpha: number, low: number, high: number, scale: number, atZero: number): void
  dividends(): void
}

let kernel: Exports | null = null
/** Rows of the last `kernelColumns` call, for `kernelDividends`. */
let lastRows = 0
function instance(): Exports {
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'))).exports as unknown as Exports
  return kernel
}

export interface ColumnsInput {
  readonly weights: U16Rows
  /** Each row's own uid: its self-weight is masked. */
  readonly self: readonly number[]
  /** The previous epoch's stored bonds, or null (all zero). */
  readonly bonds: U16Rows | null
  /** Active stake per row, raw I32F32. */
  readonly stake: Float64Array
  readonly cols: number
  readonly kappa: Fixed
  readonly yuma3: boolean
  /** bondsPenalty as a raw ratio. */
  readonly penalty: Fixed
  /** The EMA's weight of the new value. */
  readonly alpha: Fixed
  /** Yuma 3 only: liquid alpha per entry instead of `alpha`. */
  readonly liquid: LiquidAlphaRate | null
}

export interface EpochColumns {
  readonly preranks: Float64Array
  readonly consensus: Float64Array
  /** Σ_i stake_i · clipped_ij, before normalisation. */
  readonly ranks: Float64Array
  /** Validator trust: Σ_j clipped_ij per row. */
  readonly trust: Float64Array
  /** Stored u16 bonds, one array per row. */
  readonly stored: Uint16Array[]
}

/**
 * Row-normalised weights, preranks, stake-weighted medians, clipping, ranks, validator trust and the bonds
 * of every column (see the kernel). The column-normalised bonds stay in the kernel for `kernelDividends`,
 * which must run before the next call.
 */
export function kernelColumns(x: ColumnsInput): EpochColumns {
  const k = instance()
  const rows = x.weights.length
  const cols = x.cols
  k.layout(rows, cols)
  lastRows = rows
  const mem = k.memory.buffer
  const weights = new Uint16Array(mem, k.weights(), rows * cols)
  for (let i = 0; i < rows; i++) weights.set(x.weights[i]!, i * cols)
  if (x.bonds) {
    const bonds = new Uint16Array(mem, k.bonds(), rows * cols)
    for (let i = 0; i < rows; i++) bonds.set(x.bonds[i]!, i * cols)
  }
  new Float64Array(mem, k.stake(), rows).set(x.stake)
  new Int32Array(mem, k.self(), rows).set(x.self)
  const l = x.liquid
  const flags = (x.yuma3 ? 1 : 0) | (x.yuma3 && l ? 2 : 0) | (x.bonds ? 4 : 0)
  k.columns(x.kappa, flags, x.penalty, x.alpha, l?.low ?? 0, l?.high ?? 0, l?.scale ?? 0, l?.atZero ?? 0)
  const stored = new Uint16Array(mem, k.stored(), rows * cols)
  return {
    preranks: new Float64Array(mem, k.preranks(), cols).slice(),
    consensus: new Float64Array(mem, k.consensus(), cols).slice(),
    ranks: new Float64Array(mem, k.ranks(), cols).slice(),
    trust: new Float64Array(mem, k.trust(), rows).slice(),
    stored: Array.from({ length: rows }, (_, i) => stored.slice(i * cols, (i + 1) * cols)),
  }
}

/** Σ_j incentive_j · B_ij per row over the last `kernelColumns` call's normalised bonds. */
export function kernelDividends(incentive: Float64Array): Float64Array {
  const k = instance()
  const mem = k.memory.buffer
  new Float64Array(mem, k.incentive(), incentive.length).set(incentive)
  k.dividends()
  return new Float64Array(mem, k.bondValue(), lastRows).slice()
}
