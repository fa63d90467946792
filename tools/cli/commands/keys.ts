// `agora init` and `agora keys`: every key of a node comes from one mnemonic (core/crypto/keys.ts).
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { toHex } from '../../../core/bytes.ts'
import { checkMnemonic, deriveNodeKeys, type NodeKeys } from '../../../core/crypto/keys.ts'
import { printJson } from '../output.ts'
import { passwordFromCli } from '../password.ts'

export { DEFAULT_DATA_DIR, KEYSTORE_FILE, initDataDir, loadKeysFromDataDir } from '../../../validator/app/keys.ts'
import { DEFAULT_DATA_DIR, initDataDir, loadKeysFromDataDir } from '../../../validator/app/keys.ts'

export function keysSummary(k: NodeKeys) {
  return { peerId: k.peerId, evmAddress: k.evmAddress, blsPublicKey: '0x' + toHex(k.blsPublicKey) }
}

export function registerKeyCommands(program: Command): void {
  program.command('init')
    .description('create a data dir with an encrypted keystore (a new mnemonic is shown once)')
    .option('--data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--mnemonic <words>', 'restore from these BIP39 words instead of generating new ones')
    .option('--password <pw>', 'keystore password (default: $AGORA_PASSWORD, else a prompt on a terminal, else empty)')
    .option('--force', 'overwrite an existing keystore')
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; mnemonic?: string; password?: string; force?: boolean; json?: boolean }) => {
      const password = await passwordFromCli(o.password, 'new keystore password: ')
      const r = await initDataDir(resolve(o.dataDir), { ...o, password })
      if (o.json) return printJson({ ...keysSummary(r.keys), dataDir: resolve(o.dataDir), ...(r.generated ? { mnemonic: r.mnemonic } : {}) })
      if (r.generated) {
        process.stdout.write(`Your mnemonic (shown once; it restores every key of this node):\n\n  ${r.mnemonic}\n\n`)
      }
      process.stdout.write(`keystore  ${r.file}\npeer id   ${r.keys.peerId}\nevm       ${r.keys.evmAddress}\n`)
    })

  program.command('keys')
    .description('show the keys derived from a mnemonic or a data dir')
    .option('--mnemonic <words>', 'BIP39 mnemonic')
    .option('--data-dir <dir>', 'read the mnemonic from this data dir keystore')
    .option('--password <pw>', 'keystore password (default: $AGORA_PASSWORD or empty)')
    .option('--json', 'print JSON')
    .action(async (o: { mnemonic?: string; dataDir?: string; password?: string; json?: boolean }) => {
      const keys = o.mnemonic
        ? await deriveNodeKeys(o.mnemonic)
        : (await loadKeysFromDataDir(resolve(o.dataDir ?? DEFAULT_DATA_DIR), o.password)).keys
      const s = keysSummary(keys)
      if (o.json) return printJson(s)
      process.stdout.write(`peer id   ${s.peerId}\nevm       ${s.evmAddress}\nbls       ${s.blsPublicKey}\n`)
    })
}
