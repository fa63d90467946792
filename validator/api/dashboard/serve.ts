// The dashboard's static files, served by the node at `/` and `/dashboard/<file>`: plain ES modules read
// once at start-up from this folder (no build, nothing fetched at run time), with a same-origin-only CSP.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const DIR = dirname(fileURLToPath(import.meta.url))
/** Every file the page uses; anything else under /dashboard/ is a 404 (no path from the request touches the disk). */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'gql.js': 'text/javascript; charset=utf-8',
  'svg.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
}
/** Same origin only: the page cannot load or send anything elsewhere; inline style attributes size the stake bars. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

export interface DashboardAsset { readonly body: Buffer; readonly headers: Readonly<Record<string, string>> }

/** Load the files once; `asset(path)` maps a request path to one of them, or null. */
export function loadDashboard(): { asset(path: string): DashboardAsset | null } {
  const assets = new Map<string, DashboardAsset>()
  for (const [name, type] of Object.entries(FILES)) {
    assets.set(name, { body: readFileSync(join(DIR, name)), headers: { 'content-type': type, 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' } })
  }
  return {
    asset(path) {
      if (path === '/' || path === '/index.html') return assets.get('index.html')!
      const m = /^\/dashboard\/([a-z]+\.(?:html|js|css))$/.exec(path)
      return m ? assets.get(m[1]!) ?? null : null
    },
  }
}
