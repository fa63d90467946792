// `agora yuma ...` commands. (Placeholder registration: filled in by its area's issue.)
import type { Command } from 'commander'

export function registerYumaCommands(_program: Command): void {}
