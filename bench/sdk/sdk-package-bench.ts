/**
 * Size of @waggle/sdk as published: `npm pack` of sdk/ (prepack builds dist/) into a temporary
 * folder; the tarball's bytes, its unpacked bytes and file count, and what the unpacked bytes are.
 * Standalone: `npx tsx bench/sdk/sdk-package-bench.ts` prints the section.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PackedFile, packSdk } from '../../sdk/scripts/pack';

interface SdkPackageSize {
  packedBytes: number;
  unpackedBytes: number;
  files: number;
  /** Unpacked bytes by kind: each module format's JavaScript, declarations, the rest. */
  parts: { name: string; bytes: number; files: number }[];
}

const KINDS: { name: string; test: (path: string) => boolean }[] = [
  { name: 'ESM bundle (dist/esm/index.js)', test: (p) => p === 'dist/esm/index.js' },
  { name: 'CommonJS bundle (dist/cjs/index.js)', test: (p) => p === 'dist/cjs/index.js' },
  { name: 'declarations (.d.ts, once per module format)', test: (p) => p.endsWith('.d.ts') },
  { name: 'README, LICENSE, package.json files', test: () => true },
];

function byKind(files: PackedFile[]): SdkPackageSize['parts'] {
  const parts = KINDS.map(({ name }) => ({ name, bytes: 0, files: 0 }));
  for (const file of files) {
    const part = parts[KINDS.findIndex((kind) => kind.test(file.path))];
    if (!part) continue;
    part.bytes += file.size;
    part.files += 1;
  }
  return parts;
}

export async function measureSdkPackage(): Promise<SdkPackageSize> {
  const dir = await mkdtemp(join(tmpdir(), 'waggle-sdk-pack-'));
  try {
    const packed = await packSdk(dir);
    return {
      packedBytes: packed.size,
      unpackedBytes: packed.unpackedSize,
      files: packed.files.length,
      parts: byKind(packed.files),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatSdkPackageSection(size: SdkPackageSize): string {
  const kib = (bytes: number) =>
    (bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  return `## SDK package size

\`npm pack\` of sdk/ (bench/sdk/sdk-package-bench.ts; prepack builds dist/ first): what \`npm install @waggle/sdk\`
downloads, without its dependencies (the OpenTelemetry packages, installed beside it).

| packed (.tgz) | unpacked | files |
|---:|---:|---:|
| ${kib(size.packedBytes)} KiB | ${kib(size.unpackedBytes)} KiB | ${size.files} |

| unpacked | KiB | files |
|---|---:|---:|
${size.parts.map((part) => `| ${part.name} | ${kib(part.bytes)} | ${part.files} |`).join('\n')}
`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(formatSdkPackageSection(await measureSdkPackage()));
}
