/**
 * Caps attribute string values so one huge prompt cannot blow the 1 MiB queue message or the
 * Parquet row. The full value stays in the raw request archived in S3.
 */

export const DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** UTF-8 byte length without allocating the encoded bytes. */
function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Returns `text` unchanged when it fits in `maxBytes` UTF-8 bytes, else its longest prefix that
 * fits (never splitting a character) followed by a marker naming the total size and the archive key.
 */
export function truncateString(text: string, maxBytes: number, rawArchiveKey: string): string | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no counting at all.
  if (text.length * 3 <= maxBytes) return undefined;
  const total = utf8ByteLength(text);
  if (total <= maxBytes) return undefined;
  // encodeInto writes whole characters only, and `read` says how many code units fitted.
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return `${text.slice(0, read)}…[truncated: ${total} bytes total; full value in raw archive ${rawArchiveKey}]`;
}
