/**
 * tsc writes relative imports in declarations as they are in the source (`'./core/config'`),
 * which Node16/NodeNext resolution refuses in ESM. This adds the extension the emitted file
 * actually has (`./core/config.js`, or `./utils/index.js` for a folder).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// `from './x'`, `import('./x')` and `import './x'` with a relative specifier and no extension.
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*?)\2/g;

/** The specifier with the extension Node needs, given how the target exists on disk. */
export function withExtension(specifier: string, exists: (path: string) => boolean): string {
  if (/\.(c|m)?js$/.test(specifier)) return specifier;
  if (exists(`${specifier}.d.ts`)) return `${specifier}.js`;
  if (exists(`${specifier}/index.d.ts`)) return `${specifier}/index.js`;
  throw new Error(`declaration import ${specifier} matches no emitted .d.ts`);
}

/** The declaration files a (rewritten) declaration file at `file` imports, as absolute paths. */
export function importedDeclarations(text: string, file: string): string[] {
  const dir = dirname(file);
  return [...text.matchAll(RELATIVE_SPECIFIER)].map((match) =>
    resolve(dir, String(match[3]).replace(/\.js$/, '.d.ts')),
  );
}

/** Rewrites every relative specifier of one declaration file located at `file`. */
export function rewriteDeclaration(
  text: string,
  file: string,
  exists: (path: string) => boolean = existsSync,
): string {
  const dir = dirname(file);
  return text.replace(RELATIVE_SPECIFIER, (_match, head: string, quote: string, specifier: string) => {
    const fixed = withExtension(specifier, (relative) => exists(resolve(dir, relative)));
    return `${head}${quote}${fixed}${quote}`;
  });
}
