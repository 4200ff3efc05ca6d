/**
 * Reusable working memory for encoding a file's pages one at a time: a growable byte buffer for the
 * page body, and per-page arrays of definition levels and string lengths. Reusing them keeps the
 * encoder from allocating (and the garbage collector from freeing) a set per page.
 */
export class Scratch {
  buffer: Buffer;
  view: DataView;
  readonly levels: Uint8Array;
  readonly lengths: Int32Array;

  constructor(
    readonly maxPageRows: number,
    initialBytes = 1 << 21,
  ) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.levels = new Uint8Array(maxPageRows);
    this.lengths = new Int32Array(maxPageRows);
  }

  /** Makes room for `bytes` bytes, keeping the first `keep` bytes of what was written. */
  ensure(bytes: number, keep = 0): void {
    if (bytes <= this.buffer.byteLength) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.buffer.byteLength * 2));
    if (keep > 0) this.buffer.copy(grown, 0, 0, keep);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
