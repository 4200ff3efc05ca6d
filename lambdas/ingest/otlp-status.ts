/**
 * google.rpc.Status { int32 code = 1; string message = 2; } in protobuf wire format: the body
 * OTLP/HTTP asks for on a failed protobuf request.
 */
export function encodeOtlpStatus(code: number, message: string): Uint8Array {
  const text = Buffer.from(message, 'utf8');
  const parts: number[] = [];
  if (code !== 0) parts.push(0x08, ...varint(code));
  parts.push(0x12, ...varint(text.length));
  const head = Uint8Array.from(parts);
  const out = new Uint8Array(head.length + text.length);
  out.set(head, 0);
  out.set(text, head.length);
  return out;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}
