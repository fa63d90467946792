// The genesis file on disk: read and parsed against the schema (ledger/genesis.ts keeps only the pure
// schema and hash), or written by the genesis builder.
import { readFileSync, writeFileSync } from 'node:fs'
import { parseGenesis, type Genesis } from '../../ledger/genesis.ts'

export const readGenesis = (path: string): Genesis => parseGenesis(readFileSync(path, 'utf8'), path)
export const writeGenesis = (path: string, g: Genesis): void => writeFileSync(path, JSON.stringify(g, null, 2) + '\n')
