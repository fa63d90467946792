// `agora wasm ...` commands. (Placeholder registration: filled in by its area's issue.)
import type { Command } from 'commander'

export function registerWasmCommands(_program: Command): void {}
