import { describe, expect, it } from 'vitest';
import {
  importedDeclarations,
  rewriteDeclaration,
  withExtension,
} from '../../scripts/declaration-specifiers';

// Emitted declarations of a dist/ with core/config.d.ts and utils/index.d.ts.
const emitted = new Set(['/dist/core/config.d.ts', '/dist/utils/index.d.ts']);
const exists = (path: string) => emitted.has(path);

describe('declaration specifiers', () => {
  it('adds .js to a file and /index.js to a folder, and keeps specifiers that have an extension', () => {
    const text = [
      "export { a } from './core/config';",
      "export type { B } from './utils';",
      "import type { C } from '../dist/core/config.js';",
      "export type D = import('./core/config').D;",
      "import { trace } from '@opentelemetry/api';",
    ].join('\n');
    expect(rewriteDeclaration(text, '/dist/index.d.ts', exists).split('\n')).toEqual([
      "export { a } from './core/config.js';",
      "export type { B } from './utils/index.js';",
      "import type { C } from '../dist/core/config.js';",
      "export type D = import('./core/config.js').D;",
      "import { trace } from '@opentelemetry/api';",
    ]);
  });

  it('lists the declaration files a rewritten file imports', () => {
    const text = "export { a } from './core/config.js';\nexport type D = import('../lib/utils/index.js').D;";
    expect(importedDeclarations(text, '/dist/index.d.ts')).toEqual([
      '/dist/core/config.d.ts',
      '/lib/utils/index.d.ts',
    ]);
  });

  it('refuses a specifier that matches no emitted declaration', () => {
    expect(() => withExtension('./missing', () => false)).toThrow(/matches no emitted \.d\.ts/);
  });
});
