// Types of core/bundle.js (plain JS so that bin/agora.js can load it before any TypeScript loader).

export interface BundleOptions {
  /** Absolute path of the TypeScript entry point. */
  readonly entry: string
  /** Absolute path of the bundle to write (an .mjs file; its first line is the manifest). */
  readonly outFile: string
  /** 'external' (default): node_modules are imported at run time, not copied in (native rocksdb etc.). */
  readonly packages?: 'external' | 'bundle'
}

export interface BundleManifest {
  readonly key: string
  /** Repository-relative path → sha256 of every file the bundle was built from. */
  readonly inputs: Readonly<Record<string, string>>
}

export const REPO_ROOT: string
export const BUNDLE_CACHE_DIR: string
export function readManifest(outFile: string): BundleManifest | undefined
export function isFresh(opts: BundleOptions): boolean
export function buildBundle(opts: BundleOptions): Promise<string>
export function ensureBundle(opts: BundleOptions): Promise<string>
export function ensureBundleSync(opts: BundleOptions): string
