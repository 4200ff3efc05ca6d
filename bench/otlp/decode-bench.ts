/**
 * Decoder throughput on one core for 512-span GenAI requests: our protobuf and JSON decoders side by side
 * with a generic protobufjs reflection decode of the same bytes (and that decode plus toObject).
 * Run alone with `npx tsx bench/otlp/decode-bench.ts`.
 */
import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';
import { decodeTraceRequestJson } from '../../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../../lambdas/domain/otlp/decode-protobuf';
import { timeSync } from '../harness';
import { makeGenAiRequest } from './genai-request';
import { loadOtlpProtoTypes } from './otlp-proto-schema';

export interface Row {
  decoder: string;
  requestBytes: number;
  medianMs: number;
  p99Ms: number;
  spansPerSecond: number;
  /** Speed relative to the generic protobufjs decode (higher is faster). */
  vsGeneric: number;
}

export async function measureDecoders(spans = 512, runMs = 2_000): Promise<Row[]> {
  const request = makeGenAiRequest(spans);
  // A request body arrives as bytes (base64 undone, possibly gunzipped), so JSON is timed from bytes too.
  const jsonBytes = Buffer.from(request.json, 'utf8');
  const generic = loadOtlpProtoTypes().exportTraceServiceRequest;
  const cases: [string, number, () => unknown][] = [
    ['waggle protobuf', request.protobuf.length, () => decodeTraceRequestProtobuf(request.protobuf)],
    ['waggle JSON', jsonBytes.length, () => decodeTraceRequestJson(jsonBytes)],
    ['protobufjs Type.decode', request.protobuf.length, () => generic.decode(request.protobuf)],
    [
      'protobufjs decode + toObject',
      request.protobuf.length,
      () => generic.toObject(generic.decode(request.protobuf), { longs: String }),
    ],
  ];
  const timed = cases.map(([decoder, requestBytes, run]) => ({
    decoder,
    requestBytes,
    timing: timeSync(run, { warmupMs: 500, runMs }),
  }));
  const genericMs =
    timed.find((row) => row.decoder === 'protobufjs Type.decode')?.timing.medianMs ?? Number.NaN;
  return timed.map(({ decoder, requestBytes, timing }) => ({
    decoder,
    requestBytes,
    medianMs: timing.medianMs,
    p99Ms: timing.p99Ms,
    spansPerSecond: Math.round((spans / timing.medianMs) * 1000),
    vsGeneric: genericMs / timing.medianMs,
  }));
}

export function formatRows(rows: Row[], spans = 512): string {
  const lines = [
    `Decoding one ${spans}-span GenAI request on one core (median of many runs)`,
    '',
    '| decoder | request bytes | median ms | p99 ms | spans/s | vs generic |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.decoder} | ${row.requestBytes} | ${row.medianMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ` +
        `${row.spansPerSecond.toLocaleString('en-US')} | ${row.vsGeneric.toFixed(2)}x |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatRows(await measureDecoders()));
}
