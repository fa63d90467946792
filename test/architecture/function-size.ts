// Function sizes from the TypeScript compiler's syntax tree (TypeScript 7's API, which serves parsed
// files from the native compiler): every function with a body (declaration, expression, arrow, method,
// accessor, constructor) and the source lines it spans, from its first token to its last. Nested
// functions count in their parent too: a factory is as long as everything it closes over.
import { API } from 'typescript/unstable/sync'
import { isFunctionLikeDeclaration, type Node, type SourceFile } from 'typescript/unstable/ast'

export interface FunctionSize { readonly file: string; readonly name: string; readonly line: number; readonly lines: number }

/** The name a function is known by: its own, or the variable, property or method it is assigned to. */
function nameOf(node: Node, sf: SourceFile): string {
  const own = (node as Node & { name?: Node }).name
  if (own) return own.getText(sf)
  const holder = (node.parent as Node & { name?: Node }).name
  return holder ? holder.getText(sf) : '(anonymous)'
}

export function functionSizes(sf: SourceFile, file: string): FunctionSize[] {
  const out: FunctionSize[] = []
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1
  const visit = (node: Node): void => {
    if (isFunctionLikeDeclaration(node) && (node as Node & { body?: Node }).body) {
      const first = line(node.getStart(sf))
      out.push({ file, name: nameOf(node, sf), line: first, lines: line(node.getEnd()) - first + 1 })
    }
    node.forEachChild(visit)
  }
  visit(sf)
  return out
}

/** Parse `files` (absolute paths in the project of `tsconfig`) and measure every function in them. */
export function measureFiles(tsconfig: string, files: readonly string[]): FunctionSize[] {
  const api = new API({ cwd: tsconfig.replace(/\/[^/]*$/, '') })
  try {
    const program = api.updateSnapshot({ openProjects: [tsconfig] }).getProjects()[0]!.program
    return files.flatMap((f) => {
      const sf = program.getSourceFile(f)
      if (!sf) throw new Error(`${f} is not in the project of ${tsconfig}`)
      return functionSizes(sf, f)
    })
  } finally { api.close() }
}
