// `agora challenge ...` commands. (Placeholder registration: filled in by its area's issue.)
import type { Command } from 'commander'

export function registerChallengeCommands(_program: Command): void {}
