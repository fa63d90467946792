// A small lint over the test suite: a green `npm test` must mean what each test's name says. It flags an
// `expect` of a literal or a constant (asserts nothing about the code), a test whose body asserts nothing,
// and a fixed sleep followed by an assertion (synchronisation by hope). A line may opt out of the sleep rule
// with `// lint-ok: <why>` (e.g. waiting to show that something does NOT happen).

export interface LintFinding { readonly file: string; readonly line: number; readonly rule: LintRule; readonly text: string }
export type LintRule = 'expect-literal' | 'test-without-assertion' | 'sleep-then-assert'

/** Lines after a fixed sleep within which an assertion counts as depending on that sleep. */
const SLEEP_WINDOW_LINES = 3
const LITERAL = String.raw`(?:true|false|null|undefined|-?\d[\d_]*n?|'[^']*'|"[^"]*"|\x60[^\x60$]*\x60|[A-Z][A-Z0-9_]{2,})`
const EXPECT_LITERAL = new RegExp(String.raw`\bexpect\(\s*${LITERAL}\s*\)`)
const FIXED_SLEEP = /\bawait\s+(?:sleep|delay|wait)\(\s*[\w.* ]+\)|setTimeout\(\s*\w+\s*,\s*[\w.* ]+\)\s*\)/
// A test body asserts when it calls expect/assert (incl. fc.assert), a helper named for asserting, or a
// helper of the same file that asserts (assertingHelpers).
const ASSERTS = /\b(?:expect|assert\w*|fc\.assert|check\w*|verify\w*|expect\w+)\s*[(.]/

/** Blank out comments and the contents of string literals, keeping offsets and newlines. */
function maskCode(src: string): string {
  let out = ''
  let i = 0
  while (i < src.length) {
    const c = src[i]!, n = src[i + 1]
    if (c === '/' && n === '/') { while (i < src.length && src[i] !== '\n') { out += ' '; i++ } continue }
    if (c === '/' && n === '*') { while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) { out += src[i] === '\n' ? '\n' : ' '; i++ } out += '  '; i += 2; continue }
    if (c === '/' && /[(,=:[!&|?{};]\s*$|^\s*$/.test(out.slice(-40).replace(/.*\n/s, ''))) {
      // A regex literal (it may hold quotes and parens): blank it up to its closing slash.
      out += c; i++
      for (let cls = false; i < src.length && src[i] !== '\n' && (cls || src[i] !== '/'); i++) {
        if (src[i] === '\\') { out += '  '; i++; continue }
        if (src[i] === '[') cls = true
        else if (src[i] === ']') cls = false
        out += ' '
      }
      continue
    }
    if (c === "'" || c === '"' || c === '`') {
      out += c; i++
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') { out += '  '; i += 2; continue }
        out += src[i] === '\n' ? '\n' : ' '; i++
      }
      out += c; i++
      continue
    }
    out += c; i++
  }
  return out
}

const lineOf = (src: string, offset: number) => src.slice(0, offset).split('\n').length

/** The body of each `it(`/`test(` call: from its opening paren to the matching close. */
function testBodies(masked: string): { start: number; body: string }[] {
  const out: { start: number; body: string }[] = []
  const re = /(?<![.\w])(?:it|test)(?:\.each\([^)]*\))?(?:\.(?:concurrent|sequential))?\s*\(/g
  for (let m = re.exec(masked); m; m = re.exec(masked)) {
    let depth = 0
    let end = m.index + m[0].length - 1
    for (; end < masked.length; end++) {
      if (masked[end] === '(') depth++
      else if (masked[end] === ')' && --depth === 0) break
    }
    out.push({ start: m.index, body: masked.slice(m.index + m[0].length, end) })
  }
  return out
}

// A local helper: `function name(` or `const name = (...) =>` / `const name = async (...) =>` / `= function`.
const HELPER_DEF = /^(\s*)(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*(\w+)\s*[<(]|(?:const|let)\s+(\w+)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|(?:<[^>]*>)?\([^)]*\)?[^=]*=>|\w+\s*=>))/

/** Net bracket depth change of a (masked) line. */
const depthOf = (line: string) => (line.match(/[({[]/g)?.length ?? 0) - (line.match(/[)}\]]/g)?.length ?? 0)

/**
 * Names of the helpers defined in this file that assert (call expect/assert…, or another such helper):
 * a test whose body calls one asserts through it. A helper's extent: its line if brackets balance there,
 * else up to the next line at its own indentation that closes it (the code is formatted).
 */
function assertingHelpers(maskedLines: string[]): Set<string> {
  const spans: { name: string; text: string }[] = []
  maskedLines.forEach((line, i) => {
    const m = HELPER_DEF.exec(line)
    const name = m?.[2] ?? m?.[3]
    if (!m || !name) return
    let j = i
    if (depthOf(line) > 0) {
      const indent = m[1]!.length
      for (j = i + 1; j < maskedLines.length; j++) {
        const l = maskedLines[j]!
        if (l.trim() !== '' && l.length - l.trimStart().length === indent && /^[)}\]]/.test(l.trim())) break
      }
    }
    spans.push({ name, text: maskedLines.slice(i, j + 1).join('\n') })
  })
  const asserting = new Set<string>()
  const callsOne = (text: string) => [...asserting].some((n) => new RegExp(String.raw`\b${n}\s*[(<]`).test(text))
  for (let grew = true; grew;) {
    grew = false
    for (const h of spans) {
      if (asserting.has(h.name)) continue
      const body = h.text.replace(HELPER_DEF, '')
      if (ASSERTS.test(body) || callsOne(body)) { asserting.add(h.name); grew = true }
    }
  }
  return asserting
}

export function lintTestSource(file: string, src: string): LintFinding[] {
  const findings: LintFinding[] = []
  const masked = maskCode(src)
  const lines = src.split('\n')
  const maskedLines = masked.split('\n')
  maskedLines.forEach((_, i) => {
    const raw = lines[i]!
    if (EXPECT_LITERAL.test(maskedLines[i]!)) findings.push({ file, line: i + 1, rule: 'expect-literal', text: raw.trim() })
    // A sleep inside a loop or a condition is a poll's back-off, not synchronisation.
    if (FIXED_SLEEP.test(maskedLines[i]!) && !/\b(?:for|while|if)\s*\(/.test(maskedLines[i]!) && !/lint-ok:\s*\S/.test(raw)) {
      for (let j = i + 1, seen = 0; j < maskedLines.length && seen < SLEEP_WINDOW_LINES; j++) {
        if (maskedLines[j]!.trim() === '') continue
        seen++
        if (/\}\s*\)?\s*$/.test(maskedLines[j]!.trim()) && !/expect/.test(maskedLines[j]!)) break // block ended
        if (/\bexpect\s*\(/.test(maskedLines[j]!)) { findings.push({ file, line: i + 1, rule: 'sleep-then-assert', text: raw.trim() }); break }
      }
    }
  })
  const helpers = assertingHelpers(maskedLines)
  const callsHelper = (body: string) => [...helpers].some((n) => new RegExp(String.raw`\b${n}\s*[(<]`).test(body))
  for (const t of testBodies(masked)) {
    if (/\bit\.todo|\bit\.skip|\btest\.todo/.test(masked.slice(t.start, t.start + 12))) continue
    if (!ASSERTS.test(t.body) && !callsHelper(t.body)) findings.push({ file, line: lineOf(src, t.start), rule: 'test-without-assertion', text: lines[lineOf(src, t.start) - 1]!.trim() })
  }
  return findings
}
