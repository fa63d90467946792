// A Map that remembers which keys may have changed since it was last drained, so a state root can rehash
// only those. Conservative by construction: besides set/delete, every value it hands out (get, iteration)
// counts as possibly changed, because the state's records are mutated in place after a get. Read-only
// scans that must not mark (snapshots, clones, due-pool scans) use `peek`/`peekEntries`.

export class TrackedMap<K, V> extends Map<K, V> {
  /** Keys written, deleted or handed out since the last `drainChanged`. */
  private changed = new Set<K>()
  /** False for maps of immutable values (numbers, strings, frozen rows): reads never mark them. */
  private mutableValues = true

  /** A tracked copy of `entries` (nothing marked). */
  static of<K, V>(entries: Iterable<readonly [K, V]>, mutableValues: boolean): TrackedMap<K, V> {
    const m = new TrackedMap<K, V>()
    m.mutableValues = mutableValues
    for (const [k, v] of entries) Map.prototype.set.call(m, k, v)
    return m
  }

  override get(k: K): V | undefined {
    const v = super.get(k)
    if (v !== undefined && this.mutableValues) this.changed.add(k)
    return v
  }
  /** The value without marking it: the caller promises not to mutate it. */
  peek(k: K): V | undefined { return super.get(k) }
  override set(k: K, v: V): this {
    this.changed.add(k)
    return super.set(k, v)
  }
  override delete(k: K): boolean {
    this.changed.add(k)
    return super.delete(k)
  }
  override clear(): void {
    for (const k of super.keys()) this.changed.add(k)
    super.clear()
  }
  override *entries(): MapIterator<[K, V]> {
    for (const e of super.entries()) { if (this.mutableValues) this.changed.add(e[0]); yield e }
  }
  override *values(): MapIterator<V> {
    for (const [k, v] of super.entries()) { if (this.mutableValues) this.changed.add(k); yield v }
  }
  override [Symbol.iterator](): MapIterator<[K, V]> { return this.entries() }
  override forEach(fn: (v: V, k: K, m: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this)
  }
  /** Entries without marking (read-only scans). */
  peekEntries(): MapIterator<[K, V]> { return super.entries() }
  /** Values without marking (read-only scans). */
  peekValues(): MapIterator<V> { return super.values() }

  /** The keys that may have changed, and forget them. */
  drainChanged(): K[] {
    const out = [...this.changed]
    this.changed.clear()
    return out
  }
  /** Keys that may have changed, without forgetting them. */
  changedKeys(): ReadonlySet<K> { return this.changed }
}

/** `m.get(k)` without marking it changed when `m` is tracked (read-only use). */
export const peek = <K, V>(m: ReadonlyMap<K, V>, k: K): V | undefined => (m instanceof TrackedMap ? m.peek(k) : m.get(k))
/** `m.entries()` without marking (read-only scans of tracked or plain maps). */
export const peekEntries = <K, V>(m: ReadonlyMap<K, V>): IterableIterator<[K, V]> => (m instanceof TrackedMap ? m.peekEntries() : m.entries())
/** Values without marking (the native iterator: scans of large maps stay cheap). */
export const peekValues = <V>(m: ReadonlyMap<unknown, V>): IterableIterator<V> => (m instanceof TrackedMap ? m.peekValues() : m.values())
