/**
 * ECDSA signatures come out of KMS and node:crypto as DER (SEQUENCE { INTEGER r, INTEGER s });
 * JWS ES256 wants the fixed 64-byte r || s (RFC 7518 §3.4). Parsing is strict so a garbled
 * signature from a backend becomes an error here rather than a token nobody can verify.
 */
const COMPONENT_BYTES = 32;
const SEQUENCE = 0x30;
const INTEGER = 0x02;

export class MalformedSignatureError extends Error {
  override readonly name = 'MalformedSignatureError';
}

/** DER ECDSA P-256 signature -> 64-byte JOSE signature. Throws MalformedSignatureError on anything but strict DER. */
export function derToJose(der: Uint8Array): Uint8Array {
  // Longest legal P-256 signature is 72 bytes, so every length fits the one-byte short form.
  if (der.length < 8 || der[0] !== SEQUENCE) throw new MalformedSignatureError('not a DER SEQUENCE');
  const sequenceLength = der[1] as number;
  if (sequenceLength >= 0x80 || sequenceLength !== der.length - 2) {
    throw new MalformedSignatureError('DER SEQUENCE length does not match the signature');
  }
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) throw new MalformedSignatureError('trailing bytes after s');
  const jose = new Uint8Array(COMPONENT_BYTES * 2);
  jose.set(r.value, COMPONENT_BYTES - r.value.length);
  jose.set(s.value, COMPONENT_BYTES * 2 - s.value.length);
  return jose;
}

function readInteger(der: Uint8Array, offset: number): { value: Uint8Array; next: number } {
  if (der[offset] !== INTEGER) throw new MalformedSignatureError('expected a DER INTEGER');
  const length = der[offset + 1];
  const start = offset + 2;
  if (length === undefined || length === 0 || length > COMPONENT_BYTES + 1 || start + length > der.length) {
    throw new MalformedSignatureError('DER INTEGER length out of range');
  }
  let value = der.subarray(start, start + length);
  const first = value[0] as number;
  // r and s are positive: a set top bit would make the INTEGER negative.
  if (first & 0x80) throw new MalformedSignatureError('negative DER INTEGER');
  if (first === 0 && length > 1) {
    // DER allows one leading zero, and only to keep a high-bit value positive.
    if (!((value[1] as number) & 0x80)) throw new MalformedSignatureError('non-minimal DER INTEGER');
    value = value.subarray(1);
  }
  if (value.length > COMPONENT_BYTES) throw new MalformedSignatureError('DER INTEGER wider than 32 bytes');
  if (value.every((byte) => byte === 0)) throw new MalformedSignatureError('zero r or s');
  return { value, next: start + length };
}
