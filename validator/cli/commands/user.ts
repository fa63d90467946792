// User commands that talk to a node's GraphQL API (submit, forum post, pool stake, ...). Filled in by the API issue.
import type { Command } from 'commander'

export function registerUserCommands(_program: Command): void {}
