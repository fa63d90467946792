// `agora yuma <input.json>`: run subtensor's Yuma epoch over a weight matrix (ledger/scoring/yuma) and
// print one JSON line per epoch: consensus, incentive, dividends, bonds (u16), emission, and more.
import type { Command } from 'commander'
import { formatYumaEpoch, parseYumaInput, runYumaEpochs } from '../../../ledger/scoring/index.ts'
import { printJson, readJsonFile } from '../output.ts'

export function registerYumaCommands(program: Command): void {
  program.command('yuma')
    .description('emulate Yuma consensus epochs (original or Yuma 3) for a weight matrix; one JSON line per epoch')
    .argument('<input>', 'JSON file: {params, stake, validators, epochs: [{weights, active}], emission}')
    .action((file: string) => {
      runYumaEpochs(parseYumaInput(readJsonFile(file, 'BAD_YUMA_INPUT', 'yuma input'))).forEach((r, i) => printJson(formatYumaEpoch(i, r)))
    })
}
