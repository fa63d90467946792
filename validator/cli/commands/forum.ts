// `agora forum ...` commands. (Placeholder registration: filled in by its area's issue.)
import type { Command } from 'commander'

export function registerForumCommands(_program: Command): void {}
