/** Byte -> two lowercase hex digits, built once: a table lookup per byte beats toString(16) and padding. */
const HEX_BY_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/** Lowercase hex of bytes[start, end). */
export function bytesToHex(bytes: Uint8Array, start: number, end: number): string {
  let hex = '';
  for (let i = start; i < end; i++) hex += HEX_BY_BYTE[bytes[i] as number];
  return hex;
}
