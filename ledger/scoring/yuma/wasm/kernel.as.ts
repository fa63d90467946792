// The Yuma epoch's matrix work as an AssemblyScript kernel: i64 integer I32F32 on
// every entry, so no result needs a float proof or an exact redo. The host (../kernel.ts) lays the inputs
// out in linear memory (`layout`, then the `*Ptr` getters), calls `columns`, then `dividends` once it has
// the incentive. Every operation is the one ledger/scoring/fixed.ts defines (floor on multiply, truncation
// on divide), on the same integers in the same order where order matters; floats appear only as estimates
// that an integer remainder then corrects, or as the very f64 operations fixed.ts itself performs.
// Not reentrant: one epoch at a time per instance (the host is synchronous).

const ONE: i64 = 1 << 32
const HALF: i64 = 1 << 31
const TWO32: f64 = 4294967296.0
const LN2: i64 = 2977044472 // round(ln 2 × 2^32), as fixed.ts
const EXP_FAST_LIMIT: i64 = 8 << 32
const U16_MAX: i64 = 65535
/** Median candidates below which an insertion sort and scan beats another bucketing round. */
const SMALL: i32 = 12
const BUCKET_BITS: i32 = 6
const BUCKETS: i32 = 1 << BUCKET_BITS

// ---- exact fixed-point primitives -------------------------------------------------------------

/**
 * floor(a·2^32 / b) for 0 ≤ a < 2^53, 0 < b < 2^53, quotient < 2^52, given r ≈ 2^32/b. The float estimate
 * is within one of the quotient (relative error < 2^−51); the remainder a·2^32 − q·b then lies in (−2b, 2b),
 * which 64-bit wrapping arithmetic computes exactly (|remainder| < 2^63), and moves q to the floor.
 */
@inline function divPos(a: i64, b: i64, r: f64): i64 {
  let q = <i64>(<f64>a * r)
  let rem = (a << 32) - q * b
  while (rem < 0) { q--; rem += b }
  while (rem >= b) { q++; rem -= b }
  return q
}

/** a / b truncated toward zero, 0 when b is 0 (fixed.ts `div`), for |a|, |b| < 2^53. */
function div(a: i64, b: i64): i64 {
  if (b == 0) return 0
  const ua = a < 0 ? -a : a
  const ub = b < 0 ? -b : b
  const q = divPos(ua, ub, TWO32 / <f64>ub)
  return (a < 0) != (b < 0) ? -q : q
}

/** floor(a·b / 2^32) for 0 ≤ a, b ≤ 2^32 (a·b < 2^64 unless both are ONE). */
@inline function mulU(a: i64, b: i64): i64 {
  return a == ONE ? b : <i64>((<u64>a * <u64>b) >> 32)
}

/** floor(a·b / 2^32) for any signed a, b whose product's floor fits (fixed.ts `mul`): 32-bit limbs. */
function mul(a: i64, b: i64): i64 {
  const negative = (a < 0) != (b < 0)
  const ua = <u64>(a < 0 ? -a : a)
  const ub = <u64>(b < 0 ? -b : b)
  const al = ua & 0xffffffff, ah = ua >> 32
  const bl = ub & 0xffffffff, bh = ub >> 32
  const ll = al * bl
  const q = ((ah * bh) << 32) + ah * bl + al * bh + (ll >> 32)
  if (!negative) return <i64>q
  return (ll & 0xffffffff) == 0 ? -<i64>q : -<i64>q - 1
}

/** floor(x × 65535), saturating, as fixed.ts `toU16Proportion` (0 ≤ x < 2^48 here). */
@inline function toU16(x: i64): i64 {
  if (x <= 0) return 0
  if (x >= ONE) return U16_MAX
  return (x * U16_MAX) >> 32
}

/** x / 65535 in I32F32 (`fromU16Proportion`): 2^32 = 65535·65537 + 1. */
@inline function proportion(x: i64): i64 {
  return x * 65537 + (x == U16_MAX ? 1 : 0)
}

// ---- e^x and the logistic, as fixed.ts (the same f64 floor-divisions, the same integer steps) ----

/** fixed.ts `expSmall`; sets `expShift` to its k. */
let expShift: i32 = 0
function expSmall(x: i64): i64 {
  const k = <i32>Math.floor(<f64>x / <f64>LN2)
  expShift = k
  if (k >= 31 || k < -40) return 0
  const r = x - <i64>k * LN2
  let term: i64 = ONE
  let acc: i64 = ONE
  for (let i = 1; term > 0 && i < 30; i++) {
    term = <i64>Math.floor(<f64>mul(term, r) / <f64>i)
    acc += term
  }
  if (k > 19) return -1 - acc
  return k >= 0 ? acc << k : acc >> -k
}

/** 1 / (1 + e^x) in I32F32 (fixed.ts `logistic`). */
function logistic(x: i64): i64 {
  if (x < EXP_FAST_LIMIT) return div(ONE, ONE + expSmall(x))
  // fixed.ts expRaw: a wide e^x, 0 when it reaches 2^63; then floor(2^64 / (2^32 + e)).
  const v = expSmall(x)
  let e: u64 = 0
  if (v >= 0) e = <u64>v
  else {
    const acc = <u64>(-1 - v)
    const k = expShift
    e = acc >= (<u64>1 << <u64>(63 - k)) ? 0 : acc << <u64>k
  }
  const d: u64 = <u64>ONE + e
  let q = <u64>0xffffffffffffffff / d
  if ((d & (d - 1)) == 0) q++ // d divides 2^64
  return <i64>q
}

// ---- parameters and layout --------------------------------------------------------------------

let rows: i32 = 0
let cols: i32 = 0
let voters: i32 = 0
let weightsPtr: usize = 0 // u16 [rows × cols], row-major
let bondsPtr: usize = 0 // u16 [rows × cols], previous epoch's stored bonds
let storedPtr: usize = 0 // u16 [rows × cols], this epoch's stored bonds
let keptPtr: usize = 0 // i64 [cols × rows], column-normalised bonds, column-major
let stakePtr: usize = 0 // f64 [rows] in: active stake per row
let selfPtr: usize = 0 // i32 [rows] in: each row's own uid (its weight is masked)
let prerankPtr: usize = 0 // f64 [cols] out
let consensusPtr: usize = 0 // f64 [cols] out
let rankPtr: usize = 0 // f64 [cols] out
let trustPtr: usize = 0 // f64 [rows] out: validator trust
let incentivePtr: usize = 0 // f64 [cols] in (dividends)
let bondValuePtr: usize = 0 // f64 [rows] out (dividends)
// scratch
let stakeI: usize = 0 // i64 [rows]
let totalI: usize = 0 // i64 [rows]: row sums without the self-weight
let recipF: usize = 0 // f64 [rows]: 2^32 / total
let colW: usize = 0 // i64 [rows]: the column's row-normalised weights
let colB: usize = 0 // i64 [rows]: the column's bond products / EMA values
let voterRow: usize = 0 // i32 [rows]
let voterStake: usize = 0 // i64 [rows]
let values: usize = 0 // i64 [rows]
let stakes: usize = 0 // i64 [rows]
let hist: usize = 0 // i64 [BUCKETS]

@inline function align(p: usize): usize { return (p + 15) & ~<usize>15 }

/** Places every buffer for `r` rows × `c` columns and grows the memory to hold them. */
export function layout(r: i32, c: i32): void {
  rows = r
  cols = c
  const n = <usize>r * <usize>c
  let p = align(__heap_base)
  weightsPtr = p; p = align(p + 2 * n)
  bondsPtr = p; p = align(p + 2 * n)
  storedPtr = p; p = align(p + 2 * n)
  keptPtr = p; p = align(p + 8 * n)
  stakePtr = p; p = align(p + 8 * r)
  selfPtr = p; p = align(p + 4 * r)
  prerankPtr = p; p = align(p + 8 * c)
  consensusPtr = p; p = align(p + 8 * c)
  rankPtr = p; p = align(p + 8 * c)
  trustPtr = p; p = align(p + 8 * r)
  incentivePtr = p; p = align(p + 8 * c)
  bondValuePtr = p; p = align(p + 8 * r)
  stakeI = p; p = align(p + 8 * r)
  totalI = p; p = align(p + 8 * r)
  recipF = p; p = align(p + 8 * r)
  colW = p; p = align(p + 8 * r)
  colB = p; p = align(p + 8 * r)
  voterRow = p; p = align(p + 4 * r)
  voterStake = p; p = align(p + 8 * r)
  values = p; p = align(p + 8 * r)
  stakes = p; p = align(p + 8 * r)
  hist = p; p = align(p + 8 * BUCKETS)
  const pages = <i32>((p + 0xffff) >> 16)
  const have = memory.size()
  if (pages > have) memory.grow(pages - have)
}

export function weights(): usize { return weightsPtr }
export function bonds(): usize { return bondsPtr }
export function stored(): usize { return storedPtr }
export function stake(): usize { return stakePtr }
export function self(): usize { return selfPtr }
export function preranks(): usize { return prerankPtr }
export function consensus(): usize { return consensusPtr }
export function ranks(): usize { return rankPtr }
export function trust(): usize { return trustPtr }
export function incentive(): usize { return incentivePtr }
export function bondValue(): usize { return bondValuePtr }

// ---- the weighted median ----------------------------------------------------------------------

/**
 * The smallest candidate value whose cumulative stake (of all values ≤ it) exceeds `minority`, or the
 * largest value when none does (median.ts weightedMedianFixed's result). Each round spreads the candidates
 * over 64 buckets by (value − min) >> shift (monotone), and keeps the bucket where the cumulative stake
 * crosses; the range shrinks 64-fold per round, few candidates are sorted and scanned.
 */
function select(count: i32, minority: i64): i64 {
  if (count == 0) return 0
  let end = count
  let below: i64 = 0
  while (true) {
    if (end <= SMALL) return smallSelect(end, below, minority)
    let min = load<i64>(values)
    let max = min
    for (let k = 1; k < end; k++) {
      const x = load<i64>(values + (<usize>k << 3))
      if (x < min) min = x
      if (x > max) max = x
    }
    if (min == max) return min
    const span = <u64>(max - min)
    const shift = <i64>(64 - BUCKET_BITS) - <i64>clz(span) // (max − min) >> shift < 64
    const s = shift < 0 ? 0 : shift
    memory.fill(hist, 0, 8 * BUCKETS)
    for (let k = 0; k < end; k++) {
      const o = <usize>k << 3
      const b = <usize>((load<i64>(values + o) - min) >> s) << 3
      store<i64>(hist + b, load<i64>(hist + b) + load<i64>(stakes + o))
    }
    let b = 0
    let acc = below
    while (b < BUCKETS && acc + load<i64>(hist + (<usize>b << 3)) <= minority) { acc += load<i64>(hist + (<usize>b << 3)); b++ }
    if (b == BUCKETS) return max // no crossing: only possible in the first round
    let kept = 0
    for (let k = 0; k < end; k++) {
      const o = <usize>k << 3
      const x = load<i64>(values + o)
      if (<i32>((x - min) >> s) != b) continue
      const ko = <usize>kept << 3
      store<i64>(values + ko, x)
      store<i64>(stakes + ko, load<i64>(stakes + o))
      kept++
    }
    below = acc
    end = kept
  }
  return unreachable()
}

function smallSelect(count: i32, below: i64, minority: i64): i64 {
  for (let k = 1; k < count; k++) {
    const x = load<i64>(values + (<usize>k << 3))
    const st = load<i64>(stakes + (<usize>k << 3))
    let m = k - 1
    while (m >= 0 && load<i64>(values + (<usize>m << 3)) > x) {
      store<i64>(values + (<usize>(m + 1) << 3), load<i64>(values + (<usize>m << 3)))
      store<i64>(stakes + (<usize>(m + 1) << 3), load<i64>(stakes + (<usize>m << 3)))
      m--
    }
    store<i64>(values + (<usize>(m + 1) << 3), x)
    store<i64>(stakes + (<usize>(m + 1) << 3), st)
  }
  let cumulative = below
  for (let k = 0; k < count; k++) {
    cumulative += load<i64>(stakes + (<usize>k << 3))
    if (cumulative > minority) return load<i64>(values + (<usize>k << 3))
  }
  return load<i64>(values + (<usize>(count - 1) << 3))
}

// ---- the per-column pass ----------------------------------------------------------------------

let penalty: i64 = 0
let alpha: i64 = 0
let keep: i64 = 0
let liquid: bool = false
let low: i64 = 0
let high: i64 = 0
let span: i64 = 0
let scale: i64 = 0
let atZero: i64 = 0

/** weights + penalty·(clipped − weights) (`interpolate`), the weight the bonds follow. */
@inline function bondWeight(w: i64, median: i64): i64 {
  const clipped = w < median ? w : median
  if (penalty == ONE) return clipped
  if (penalty == 0 || clipped == w) return w
  return w + mul(penalty, clipped - w)
}

@inline function clamp(v: i64, lo: i64, hi: i64): i64 { return v > hi ? hi : v < lo ? lo : v }

/** Liquid alpha of one entry (liquid.ts `exactAlpha` of its diff). */
function liquidAlpha(median: i64, w: i64, old: i64): i64 {
  const diff = w >= old ? clamp(w - median, 0, ONE) : clamp(old - w, 0, ONE)
  if (diff == 0) return atZero
  return clamp(low + mul(logistic(mul(scale, diff - HALF)), span), low, high)
}

/** `atZero` for the host's check: the alpha at diff 0. */
export function liquidAtZero(): f64 { return <f64>atZero }

/**
 * Every per-column step for columns [0, cols): row-normalised weights (self masked), prerank, the
 * stake-weighted median over rows with stake (kappa a raw ratio), clipping, validator trust, rank, the
 * bonds (stored u16, column-normalised kept for `dividends`). `flags`: 1 Yuma 3, 2 liquid alpha, 4 bonds
 * given. Parameters are raw I32F32 values passed as exact doubles.
 */
export function columns(kappa: f64, flags: i32, penaltyF: f64, alphaF: f64, lowF: f64, highF: f64, scaleF: f64, atZeroF: f64): void {
  const yuma3 = (flags & 1) != 0
  liquid = (flags & 2) != 0
  const hasBonds = (flags & 4) != 0
  penalty = <i64>penaltyF
  alpha = <i64>alphaF
  keep = ONE - alpha
  low = <i64>lowF
  high = <i64>highF
  span = high - low
  scale = <i64>scaleF
  atZero = <i64>atZeroF
  const r = rows
  const c = cols
  const rowBytes = <usize>c << 1
  // Per row: stake, the masked total and its reciprocal, trust reset; voters are the rows with stake.
  let p = 0
  let voterTotal: i64 = 0
  for (let i = 0; i < r; i++) {
    const s = <i64>load<f64>(stakePtr + (<usize>i << 3))
    store<i64>(stakeI + (<usize>i << 3), s)
    const row = weightsPtr + <usize>i * rowBytes
    let total: i64 = 0
    for (let j = 0; j < c; j++) total += <i64>load<u16>(row + (<usize>j << 1))
    const own = load<i32>(selfPtr + (<usize>i << 2))
    total -= <i64>load<u16>(row + (<usize>own << 1))
    store<i64>(totalI + (<usize>i << 3), total)
    store<f64>(recipF + (<usize>i << 3), total == 0 ? 0 : TWO32 / <f64>total)
    store<f64>(trustPtr + (<usize>i << 3), 0)
    if (s > 0) {
      store<i32>(voterRow + (<usize>p << 2), i)
      store<i64>(voterStake + (<usize>p << 3), s)
      voterTotal += s
      p++
    }
  }
  voters = p
  let stakeSum: i64 = 0
  for (let k = 0; k < p; k++) {
    const v = div(load<i64>(voterStake + (<usize>k << 3)), voterTotal)
    store<i64>(voterStake + (<usize>k << 3), v)
    stakeSum += v
  }
  const minority = stakeSum - <i64>kappa
  for (let j = 0; j < c; j++) {
    const median = weightColumn(j, minority)
    let rank: i64
    if (yuma3) rank = yuma3Column(j, median, hasBonds)
    else rank = originalColumn(j, median, hasBonds)
    store<f64>(rankPtr + (<usize>j << 3), <f64>rank)
  }
}

/** Column j's normalised weights into colW, its prerank, and its median (returned). */
function weightColumn(j: i32, minority: i64): i64 {
  const r = rows
  const rowBytes = <usize>cols << 1
  const at = weightsPtr + (<usize>j << 1)
  let prerank: i64 = 0
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    const x = <i64>load<u16>(at + <usize>i * rowBytes)
    let w: i64 = 0
    // (x·2^32)/(Σ·2^32) in I32F32 is floor(x·2^32/Σ); x ≠ 0 off the self-weight implies Σ > 0
    if (x != 0 && load<i32>(selfPtr + (<usize>i << 2)) != j) w = divPos(x, load<i64>(totalI + o), load<f64>(recipF + o))
    store<i64>(colW + o, w)
    const s = load<i64>(stakeI + o)
    if (w != 0 && s != 0) prerank += mulU(s, w)
  }
  store<f64>(prerankPtr + (<usize>j << 3), <f64>prerank)
  const p = voters
  let median: i64 = 0
  if (p > 0) {
    for (let k = 0; k < p; k++) {
      const o = <usize>k << 3
      store<i64>(values + o, load<i64>(colW + (<usize>load<i32>(voterRow + (<usize>k << 2)) << 3)))
      store<i64>(stakes + o, load<i64>(voterStake + o))
    }
    median = select(p, minority)
  }
  store<f64>(consensusPtr + (<usize>j << 3), <f64>median)
  return median
}

/**
 * Original Yuma's bonds of column j and its rank Σ stake·clipped: ΔB = column-normalised bond weights ∘
 * stake, B = column-normalised EMA of ΔB over the column-normalised stored bonds, stored = B upscaled by
 * its column max (as the reference's colNormalizeU16, rowHadamard, ema, colMaxUpscale).
 */
function originalColumn(j: i32, median: i64, hasBonds: bool): i64 {
  const r = rows
  const rowBytes = <usize>cols << 1
  const bondAt = bondsPtr + (<usize>j << 1)
  const storedAt = storedPtr + (<usize>j << 1)
  const keptAt = keptPtr + ((<usize>j * <usize>r) << 3)
  const clippedBonds = penalty == ONE
  let rank: i64 = 0
  let deltaSum: i64 = 0
  let bondSum: i64 = 0
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    const x = load<i64>(colW + o)
    const clipped = x < median ? x : median
    store<f64>(trustPtr + o, load<f64>(trustPtr + o) + <f64>clipped)
    const s = load<i64>(stakeI + o)
    let product: i64 = 0
    if (clipped != 0 && s != 0) { product = mulU(s, clipped); rank += product }
    if (!clippedBonds) {
      const b = bondWeight(x, median)
      product = b == 0 || s == 0 ? 0 : mulU(b, s)
    }
    store<i64>(colB + o, product)
    deltaSum += product
    if (hasBonds) bondSum += <i64>load<u16>(bondAt + <usize>i * rowBytes)
  }
  const deltaR = deltaSum == 0 ? 0 : TWO32 / <f64>deltaSum
  const bondR = bondSum == 0 ? 0 : TWO32 / <f64>bondSum
  let nextSum: i64 = 0
  let max: i64 = 0
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    let d = load<i64>(colB + o)
    if (d != 0) d = divPos(d, deltaSum, deltaR) // d ≠ 0 ⇒ deltaSum > 0
    const a = d == 0 ? 0 : mulU(alpha, d)
    let next = a
    if (hasBonds) {
      const x = <i64>load<u16>(bondAt + <usize>i * rowBytes)
      if (x != 0) next += mulU(keep, divPos(x, bondSum, bondR))
    }
    store<i64>(colB + o, next)
    nextSum += next
    if (next > max) max = next
  }
  // The largest normalised entry is the largest entry normalised: x ↦ ⌊x·2^32/Σ⌋ is monotone.
  const nextR = nextSum == 0 ? 0 : TWO32 / <f64>nextSum
  if (max != 0) max = divPos(max, nextSum, nextR)
  const maxR = max == 0 ? 0 : TWO32 / <f64>max
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    let next = load<i64>(colB + o)
    let u: i64 = 0
    if (next != 0) { // ⇒ nextSum ≠ 0 and max ≠ 0
      next = divPos(next, nextSum, nextR)
      u = toU16(divPos(next, max, maxR))
    }
    store<i64>(keptAt + o, next)
    store<u16>(storedAt + <usize>i * rowBytes, <u16>u)
  }
  return rank
}

/** Yuma 3's bonds of column j (EMA of the bond weights over the stored proportions) and its rank. */
function yuma3Column(j: i32, median: i64, hasBonds: bool): i64 {
  const r = rows
  const rowBytes = <usize>cols << 1
  const bondAt = bondsPtr + (<usize>j << 1)
  const storedAt = storedPtr + (<usize>j << 1)
  const keptAt = keptPtr + ((<usize>j * <usize>r) << 3)
  let rank: i64 = 0
  let total: i64 = 0
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    const x = load<i64>(colW + o)
    const clipped = x < median ? x : median
    store<f64>(trustPtr + o, load<f64>(trustPtr + o) + <f64>clipped)
    const s = load<i64>(stakeI + o)
    if (clipped != 0 && s != 0) rank += mulU(s, clipped)
    const w = bondWeight(x, median)
    const old = hasBonds ? proportion(<i64>load<u16>(bondAt + <usize>i * rowBytes)) : 0
    let next: i64
    if (liquid) {
      const a = liquidAlpha(median, w, old)
      const bought = w == 0 ? 0 : mulU(a, w)
      const v = (old == 0 ? 0 : mulU(ONE - a, old)) + (bought > 0 ? bought : 0)
      next = v > ONE ? ONE : v
    } else {
      const a = w == 0 ? 0 : mulU(alpha, w)
      next = old == 0 ? a : a + mulU(keep, old)
    }
    store<u16>(storedAt + <usize>i * rowBytes, <u16>(next == 0 ? 0 : toU16(next)))
    store<i64>(colB + o, next)
    total += next
  }
  const totalR = total == 0 ? 0 : TWO32 / <f64>total
  for (let i = 0; i < r; i++) {
    const o = <usize>i << 3
    const next = load<i64>(colB + o)
    store<i64>(keptAt + o, next == 0 ? 0 : divPos(next, total, totalR)) // next ≠ 0 ⇒ total > 0
  }
  return rank
}

/** Σ_j incentive_j · B_ij per row (original Yuma's dividends, Yuma 3's bond value), from the kept bonds. */
export function dividends(): void {
  const r = rows
  const c = cols
  memory.fill(colB, 0, <usize>r << 3)
  for (let j = 0; j < c; j++) {
    const inc = <i64>load<f64>(incentivePtr + (<usize>j << 3))
    if (inc == 0) continue
    const keptAt = keptPtr + ((<usize>j * <usize>r) << 3)
    for (let i = 0; i < r; i++) {
      const o = <usize>i << 3
      const b = load<i64>(keptAt + o)
      if (b != 0) store<i64>(colB + o, load<i64>(colB + o) + mulU(inc, b))
    }
  }
  for (let i = 0; i < r; i++) store<f64>(bondValuePtr + (<usize>i << 3), <f64>load<i64>(colB + (<usize>i << 3)))
}
