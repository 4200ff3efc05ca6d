/**
 * int64 handling shared by both decoders: the model keeps an int64 as a number when it is a safe integer
 * and as its exact decimal string otherwise, so no precision is lost and common values stay numeric.
 */

const TWO_POW_32 = 4294967296;
/** Magnitudes below 2^21 in the high word keep the whole value within Number.MAX_SAFE_INTEGER (2^53 - 1). */
const SAFE_HIGH_WORD_LIMIT = 0x200000;

/** The int64 value of a two's-complement 64-bit pattern given as two unsigned 32-bit words. */
export function int64FromWords(low: number, high: number): number | string {
  if (high < SAFE_HIGH_WORD_LIMIT) return high * TWO_POW_32 + low;
  if (high >= 0x80000000) {
    // Negative: the magnitude is the two's complement of the pattern.
    const magnitudeLow = (~low + 1) >>> 0;
    const magnitudeHigh = (~high + (magnitudeLow === 0 ? 1 : 0)) >>> 0;
    if (magnitudeHigh < SAFE_HIGH_WORD_LIMIT) return -(magnitudeHigh * TWO_POW_32 + magnitudeLow);
  }
  return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low)).toString();
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_INTEGER = /^-?\d+$/;

/**
 * The model value of an int64 given as a decimal string (OTLP/JSON), or undefined when the text is not
 * an integer within the int64 range.
 */
export function int64FromDecimal(text: string): number | string | undefined {
  if (!DECIMAL_INTEGER.test(text)) return undefined;
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}
