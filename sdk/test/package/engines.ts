/**
 * The Node floor of an installed package's dependency tree: every package's `engines.node`,
 * read from node_modules the way Node would find it, and the highest `>=` among them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Version = [major: number, minor: number, patch: number];

interface Manifest {
  name: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
}

/**
 * The lowest version a `>=X.Y.Z` range admits. Any other form throws: a dependency that declares
 * one needs a person to read it before the SDK's own engines can be said to match.
 */
export function rangeFloor(range: string): Version {
  const match = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`engines.node "${range}" is not of the form >=X.Y.Z`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function parseVersion(version: string): Version {
  return rangeFloor(`>=${version}`);
}

/** The folder of `name` as Node's resolution finds it from `fromDir` (nearest node_modules up). */
function findPackageDir(fromDir: string, name: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed above ${fromDir}`);
  }
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Each package below `packageDir` (not itself) with its declared engines.node, once. */
export function dependencyEngines(packageDir: string): Map<string, string | undefined> {
  const seen = new Map<string, string | undefined>();
  const visited = new Set<string>();
  const visit = (dir: string): void => {
    for (const name of Object.keys(readManifest(dir).dependencies ?? {})) {
      const depDir = findPackageDir(dir, name);
      if (visited.has(depDir)) continue;
      visited.add(depDir);
      const manifest = readManifest(depDir);
      seen.set(`${manifest.name}@${depDir}`, manifest.engines?.node);
      visit(depDir);
    }
  };
  visit(packageDir);
  return seen;
}

/** The highest floor among the dependencies that declare one. */
export function strictestFloor(engines: Iterable<string | undefined>): Version {
  let strictest: Version = [0, 0, 0];
  for (const range of engines) {
    if (range === undefined) continue;
    const floor = rangeFloor(range);
    if (compareVersions(floor, strictest) > 0) strictest = floor;
  }
  return strictest;
}
