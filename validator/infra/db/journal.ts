// An append-only journal of small records that must be durable before the node acts on them (what its
// consensus key signed). Its own file, written and fdatasync'd on the calling thread: a RocksDB synced
// write waits for the one WAL writer behind every bigger synced write and for a slot in libuv's pool of
// 4 threads, 10–60 ms median on an idle devnet, against ~0.4 ms here. The file is preallocated with
// zeros, so a synced append changes no metadata and fdatasync flushes one data block (no fs journal).
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { dirname } from 'node:path'
import { AgoraError } from '../../../core/errors.ts'

/** Zeros added at a time when a record does not fit the preallocated length (one fsync per chunk). */
export const JOURNAL_CHUNK_BYTES = 1 << 20
/** A record's frame: its length (u32 big-endian), then the first 4 bytes of its sha256. */
const HEADER = 8

export interface Journal {
  /** The records found when it was opened, in append order (a torn last record, never acknowledged, is not). */
  readonly records: readonly Uint8Array[]
  /** Bytes of records in the file. */
  readonly size: number
  /** Append one record; with `sync`, it and every record before it are on disk when this returns. */
  append(record: Uint8Array, sync: boolean): void
  /** Replace every record by `records`, atomically and durably (a new file renamed over the old one). */
  rewrite(records: readonly Uint8Array[]): void
  close(): void
}

const checksum = (b: Uint8Array) => createHash('sha256').update(b).digest().subarray(0, 4)

export function frame(record: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + record.length)
  new DataView(out.buffer).setUint32(0, record.length)
  out.set(checksum(record), 4)
  out.set(record, HEADER)
  return out
}

/** Records of a journal's bytes up to the first zero length or torn record; and where they end. */
export function parseJournal(bytes: Uint8Array): { records: Uint8Array[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: Uint8Array[] = []
  let at = 0
  while (at + HEADER <= bytes.length) {
    const len = view.getUint32(at)
    if (len === 0 || at + HEADER + len > bytes.length) break
    const rec = bytes.subarray(at + HEADER, at + HEADER + len)
    const sum = checksum(rec)
    if (sum.some((b, i) => b !== bytes[at + 4 + i])) break
    records.push(rec.slice())
    at += HEADER + len
  }
  return { records, end: at }
}

const syncDir = (path: string) => { const fd = openSync(dirname(path), 'r'); try { fsyncSync(fd) } finally { closeSync(fd) } }

/** Write `framed` then zeros up to a chunk boundary to a new file at `path`, durably. */
function writeFresh(path: string, framed: Uint8Array[]): { fd: number; end: number; allocated: number } {
  const end = framed.reduce((n, f) => n + f.length, 0)
  const allocated = (Math.floor(end / JOURNAL_CHUNK_BYTES) + 1) * JOURNAL_CHUNK_BYTES
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  let at = 0
  for (const f of framed) { writeSync(fd, f, 0, f.length, at); at += f.length }
  writeSync(fd, new Uint8Array(allocated - end), 0, allocated - end, end)
  fsyncSync(fd)
  closeSync(fd)
  renameSync(tmp, path)
  syncDir(path)
  return { fd: openSync(path, 'r+'), end, allocated }
}

/** Open (or create) the journal at `path`. The caller holds the data directory's lock (RocksDB's). */
export function openFileJournal(path: string): Journal {
  let state: { fd: number; end: number; allocated: number }
  let records: Uint8Array[]
  if (existsSync(path)) {
    const bytes = new Uint8Array(readFileSync(path))
    const parsed = parseJournal(bytes)
    records = parsed.records
    // Zero what follows the last whole record (a torn tail): a shorter record appended over it must not
    // be followed by the remains of the torn one.
    state = { fd: openSync(path, 'r+'), end: parsed.end, allocated: bytes.length }
    if (bytes.subarray(parsed.end).some((b) => b !== 0)) {
      writeSync(state.fd, new Uint8Array(bytes.length - parsed.end), 0, bytes.length - parsed.end, parsed.end)
      fdatasyncSync(state.fd)
    }
  } else {
    records = []
    state = writeFresh(path, [])
  }
  let closed = false
  const live = () => { if (closed) throw new AgoraError('DB_CLOSED', `journal ${path} is closed`) }
  return {
    records,
    get size() { return state.end },
    append(record, sync) {
      live()
      const f = frame(record)
      if (state.end + f.length + HEADER > state.allocated) {
        // Room for the record and a zero header after it; fsync: the file's length changes.
        const add = Math.max(JOURNAL_CHUNK_BYTES, f.length + HEADER)
        writeSync(state.fd, new Uint8Array(add), 0, add, state.allocated)
        fsyncSync(state.fd)
        state.allocated += add
      }
      writeSync(state.fd, f, 0, f.length, state.end)
      state.end += f.length
      if (sync) fdatasyncSync(state.fd)
    },
    rewrite(next) {
      live()
      closeSync(state.fd)
      state = writeFresh(path, next.map(frame))
    },
    close() {
      if (closed) return
      closed = true
      closeSync(state.fd)
    },
  }
}

/**
 * A journal in memory with a file's crash semantics, for MemoryStore: reopening it (a restart) sees every
 * record appended before, as a file after kill -9 does (the page cache survives the process).
 */
export function memoryJournals(): (name: string) => Journal {
  const files = new Map<string, Uint8Array[]>()
  return (name) => {
    const stored = files.get(name) ?? []
    files.set(name, stored)
    const size = () => stored.reduce((n, r) => n + HEADER + r.length, 0)
    return {
      records: stored.map((r) => r.slice()),
      get size() { return size() },
      append(record) { stored.push(record.slice()) },
      rewrite(next) { stored.splice(0, stored.length, ...next.map((r) => r.slice())) },
      close() {},
    }
  }
}
