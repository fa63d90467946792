// Minimal hardhat 3 config: `import { network } from 'hardhat'` needs one. The embedded chain
// (contracts/chain/embedded.ts) passes its own overrides to network.create().
import { defineConfig } from 'hardhat/config'

export default defineConfig({})
