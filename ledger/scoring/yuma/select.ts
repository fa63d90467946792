// Stake-weighted median of one column by bucketing instead of a sort: the smallest value whose cumulative
// stake (over all entries ≤ it) exceeds `minority`, or the largest value when none does — what a full
// sort and scan (../median.ts weightedMedianFixed) returns. Each round spreads the candidates over
// BUCKETS equal-width value ranges (a monotone map, so buckets are ordered), sums stake per bucket, and
// keeps only the bucket where the cumulative stake crosses the minority. The value range shrinks about
// (BUCKETS − 1)-fold per round (and every round drops the smallest or the largest value), so a few linear
// passes suffice: no data-dependent pivot, branch-predictable, no input that makes it quadratic.

const BUCKETS = 64
/** Per-bucket stake; one call at a time uses it (no reentrancy: nothing here calls out). */
const hist = new Float64Array(BUCKETS)
/** Below this many candidates an insertion sort and scan is cheaper than another round. */
const SMALL = 12

/** `values[0..count)` with their stakes (non-negative safe integers); both arrays are reordered in place. */
export function weightedMedianSelect(values: Float64Array, stakes: Float64Array, count: number, minority: number): number {
  if (count === 0) return 0
  let end = count
  let below = 0 // stake of every entry already known to lie below the candidates
  for (;;) {
    if (end <= SMALL) return smallSelect(values, stakes, end, below, minority)
    let min = values[0]!
    let max = min
    for (let k = 1; k < end; k++) {
      const x = values[k]!
      if (x < min) min = x
      if (x > max) max = x
    }
    if (min === max) return min
    const scale = (BUCKETS - 1) / (max - min) // maps [min, max] onto [0, BUCKETS − 1], monotone
    hist.fill(0)
    for (let k = 0; k < end; k++) hist[Math.floor((values[k]! - min) * scale)] += stakes[k]!
    let b = 0
    let acc = below
    while (b < BUCKETS && acc + hist[b]! <= minority) acc += hist[b++]!
    // Only in the first round can no bucket cross: the stake never exceeds the minority, take the largest.
    if (b === BUCKETS) return max
    let kept = 0
    for (let k = 0; k < end; k++) {
      const x = values[k]!
      if (Math.floor((x - min) * scale) !== b) continue
      const s = stakes[k]!
      values[kept] = x
      stakes[kept] = s
      kept++
    }
    below = acc
    end = kept
  }
}

/** Insertion sort of the few candidates, then the cumulative scan. */
function smallSelect(values: Float64Array, stakes: Float64Array, count: number, below: number, minority: number): number {
  for (let k = 1; k < count; k++) {
    const x = values[k]!
    const s = stakes[k]!
    let m = k - 1
    while (m >= 0 && values[m]! > x) { values[m + 1] = values[m]!; stakes[m + 1] = stakes[m]!; m-- }
    values[m + 1] = x
    stakes[m + 1] = s
  }
  let cumulative = below
  for (let k = 0; k < count; k++) {
    cumulative += stakes[k]!
    if (cumulative > minority) return values[k]!
  }
  return values[count - 1]!
}
