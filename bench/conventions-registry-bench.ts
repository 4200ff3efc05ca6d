/**
 * Before/after of the attribute conventions registry on the ingest benchmark's
 * "Waggle protobuf decode + validate + normalize" row (bench/ingest-bench.ts): the same 512-span
 * GenAI request converted by two source trees. Each fresh Node process loads both trees (separate
 * module copies, so neither shares the other's JIT feedback), warms both, then times them in
 * alternating blocks of requests, so that the load of a noisy, shared machine falls on both alike.
 * A process reports each side's median ms per request (per-request samples, as bench/harness.ts);
 * processes alternate which tree they load first; the summary is the median over processes.
 *
 *   npm exec -- tsx bench/conventions-registry-bench.ts <before-tree> [<after-tree>] [--processes N]
 *
 * <before-tree> is a copy of the commit before the change (`git archive <commit> | tar -x -C
 * /tmp/before`, node_modules symlinked to this tree's); <after-tree> defaults to this tree.
 * Measured once for docs/BENCHMARKS.md (CONVENTIONS_REGISTRY_BEFORE_AFTER in bench/run.ts): before =
 * 94bf6ad, after = 94bf6ad with the registry, `--processes 10` twice, the 20 processes' results pooled.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile } from './harness';
import { makeGenAiRequest } from './otlp/genai-request';

const SPANS = 512;
const BLOCKS = 40;
const BLOCK_MS = 150;
const here = fileURLToPath(import.meta.url);
const thisTree = path.resolve(path.dirname(here), '..');

type Side = 'before' | 'after';

interface ConvertModule {
  convertRequest(input: {
    route: 'otlp-traces';
    contentType: string;
    body: Uint8Array;
    tenant: { org_id: string; workspace_id: string; project_id: string };
    projectName: string;
    requestId: string;
    ingestedAt: number;
    version: number;
    rawArchiveKey: string;
  }): unknown;
}

async function loadConvert(tree: string, body: Uint8Array): Promise<() => unknown> {
  const url = pathToFileURL(path.join(tree, 'lambdas/domain/ingest/convert-request.ts')).href;
  const { convertRequest } = (await import(url)) as ConvertModule;
  return () =>
    convertRequest({
      route: 'otlp-traces',
      contentType: 'application/x-protobuf',
      body,
      tenant: { org_id: 'bench-org', workspace_id: 'bench-ws', project_id: 'bench' },
      projectName: 'bench',
      requestId: 'bench-request',
      ingestedAt: 1_763_700_000_000,
      version: 1,
      rawArchiveKey: 'raw/bench',
    });
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Child: both trees in this process, timed in alternating blocks; prints each side's median ms. */
async function child(order: readonly [Side, string][]): Promise<void> {
  const body = makeGenAiRequest(SPANS).protobuf;
  const sides: { side: Side; convert: () => unknown; samples: number[] }[] = [];
  for (const [side, tree] of order) sides.push({ side, convert: await loadConvert(tree, body), samples: [] });
  for (let warm = 0; warm < 4; warm++) {
    for (const { convert } of sides) {
      const end = performance.now() + 250;
      while (performance.now() < end) convert();
    }
  }
  for (let block = 0; block < BLOCKS; block++) {
    for (const { convert, samples } of block % 2 === 0 ? sides : [...sides].reverse()) {
      const end = performance.now() + BLOCK_MS;
      while (performance.now() < end) {
        const start = performance.now();
        convert();
        samples.push(performance.now() - start);
      }
    }
  }
  const result: Partial<Record<Side, number>> = {};
  for (const { side, samples } of sides) result[side] = median(samples);
  console.log(JSON.stringify(result));
}

function runChild(order: readonly [Side, string][]): Record<Side, number> {
  const args = ['--import', 'tsx', here, '--child', ...order.flat()];
  const result = spawnSync(process.execPath, args, { cwd: thisTree, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Record<Side, number>;
}

const spansPerSecond = (ms: number) => Math.round((SPANS / ms) * 1000).toLocaleString('en-US');

function driver(args: string[]): void {
  const at = args.indexOf('--processes');
  const processes = at >= 0 ? Number(args[at + 1]) : 6;
  const trees = args.filter((arg, i) => !arg.startsWith('--') && (at < 0 || i !== at + 1));
  const before = trees[0];
  if (before === undefined)
    throw new Error('usage: conventions-registry-bench.ts <before-tree> [<after-tree>]');
  const after = trees[1] ?? thisTree;
  const runs: Record<Side, number[]> = { before: [], after: [] };
  for (let run = 0; run < processes; run++) {
    const order: [Side, string][] = [
      ['before', before],
      ['after', after],
    ];
    const result = runChild(run % 2 === 0 ? order : [...order].reverse());
    runs.before.push(result.before);
    runs.after.push(result.after);
    console.log(
      `process ${run + 1}/${processes}: before ${result.before.toFixed(3)} ms, after ${result.after.toFixed(3)} ms per request (after/before speed ${(result.before / result.after).toFixed(3)}x)`,
    );
  }
  for (const side of ['before', 'after'] as const) {
    const ms = median(runs[side]);
    console.log(
      `${side}: median ${ms.toFixed(3)} ms per ${SPANS}-span request = ${spansPerSecond(ms)} spans/s (per process: ${runs[side].map((s) => s.toFixed(3)).join(', ')})`,
    );
  }
  const ratios = runs.before.map((ms, i) => ms / (runs.after[i] as number));
  console.log(
    `after / before speed: ${(median(runs.before) / median(runs.after)).toFixed(3)}x (per process: ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
  );
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const rest = args.slice(1);
  const order: [Side, string][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) order.push([rest[i] as Side, rest[i + 1] as string]);
  await child(order);
} else {
  driver(args);
}
