// `agora status`: one node's position (height, epoch, sync, peers), its validator set, and its latest
// certified epochs with their chain transactions (every node learns each epoch's transaction from the
// contract's events, whichever node sent it). A readable view, or one JSON object with --json.
import type { Command } from 'commander'
import { graphqlData } from '../../../validator/api/client.ts'
import { printJson } from '../output.ts'
import { printKv, printTable, withCommon, type CommonOpts } from './user.ts'

/** Epochs shown: enough to see the recent hand-overs and submissions at a glance. */
const STATUS_EPOCHS = 10

interface StatusData {
  node: Record<string, unknown> & { peers: string[] }
  validators: { total: number; items: { peerId: string; power: string; powerPpm: number }[] }
  epochs: { items: { epoch: number; uids: number[]; certificateSigners: string[]; chainTx: string | null }[] }
}

const QUERY = `query($n: Int!) {
  node { peerId evmAddress networkId height slot epoch stateRoot peers synced lastCertifiedEpoch }
  validators(first: 100) { total items { peerId power powerPpm } }
  epochs(first: $n) { items { epoch uids certificateSigners chainTx } }
}`

export function registerStatusCommand(program: Command): void {
  withCommon(program.command('status'), false)
    .description("show the node's height, epoch, sync state, peers, validators and latest epochs with their chain transactions")
    .action(async (o: CommonOpts) => {
      const d = await graphqlData<StatusData>(o.node, QUERY, { n: STATUS_EPOCHS })
      const epochs = d.epochs.items.map((e) => ({ epoch: e.epoch, miners: e.uids.length, signers: e.certificateSigners.length, chainTx: e.chainTx }))
      if (o.json) return printJson({ ...d.node, validators: d.validators.items, validatorCount: d.validators.total, epochs })
      const n = d.node
      printKv([['node', String(n.peerId)], ['network', String(n.networkId)], ['height', String(n.height)], ['slot', String(n.slot)], ['epoch', String(n.epoch)],
        ['synced', String(n.synced)], ['state root', String(n.stateRoot)], ['certified', String(n.lastCertifiedEpoch ?? '-')], ['peers', String(n.peers.length)]])
      process.stdout.write('\n')
      printTable(['validator', 'power (REP)', 'share'], d.validators.items.map((v) => [v.peerId, v.power, `${(v.powerPpm / 10_000).toFixed(2)}%`]))
      process.stdout.write('\n')
      printTable(['epoch', 'miners', 'signers', 'chain tx'], epochs.map((e) => [String(e.epoch), String(e.miners), String(e.signers), e.chainTx ?? '-']))
    })
}
