// CLI output helpers: JSON for tools (bigints as decimal strings), plain text for people.
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n')
}
