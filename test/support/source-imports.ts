/** Reading a source tree's imports as text, for the tests that hold the code to its boundaries. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `dir`, at any depth. */
export function sourceFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFilesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier: static and type imports, re-exports, dynamic imports. */
export function specifiersOf(source: string): string[] {
  const pattern =
    /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => (match[1] ?? match[2] ?? match[3]) as string);
}
