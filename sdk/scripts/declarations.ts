/**
 * Makes tsc's declaration output publishable: relative specifiers with the extension Node16/NodeNext
 * need, and only the files the entry's declarations reach (tsc emits one for every source file,
 * including internals no public type mentions).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importedDeclarations, rewriteDeclaration } from './declaration-specifiers';

export function finishDeclarations(outDir: string, entry = 'index.d.ts'): void {
  const texts = new Map<string, string>();
  for (const name of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.d.ts')) continue;
    const file = join(outDir, name);
    const text = rewriteDeclaration(readFileSync(file, 'utf8'), file);
    writeFileSync(file, text);
    texts.set(file, text);
  }
  const reached = new Set<string>();
  const pending = [join(outDir, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const text = texts.get(file);
    if (text === undefined) throw new Error(`${file} is imported but was not emitted`);
    pending.push(...importedDeclarations(text, file));
  }
  for (const file of texts.keys()) {
    if (reached.has(file)) continue;
    rmSync(file);
    // A folder left without declarations goes too (its JavaScript is in the bundle).
    if (readdirSync(dirname(file)).length === 0) rmSync(dirname(file), { recursive: true });
  }
}
