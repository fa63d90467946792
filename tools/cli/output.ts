// CLI I/O helpers: JSON for tools (bigints as decimal strings), plain text for people, JSON input files
// read with one clear error.
import { readFileSync } from 'node:fs'
import { AgoraError, errorMessage } from '../../core/errors.ts'

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n')
}

/** Parse a JSON file; a missing file or bad JSON is an AgoraError with `code` naming what was read. */
export function readJsonFile(path: string, code: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new AgoraError(code, `cannot read ${what} ${path}: ${errorMessage(e)}`)
  }
}
