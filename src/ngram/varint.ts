/** Unsigned LEB128 varints (values 0..2^31-1) in a growable byte buffer, and a bounds-checked reader. */

export class VarintWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  /** Appends `value` (an integer in 0..2^31-1). */
  write(value: number): void {
    if (this.len + 5 > this.buf.length) {
      const b = new Uint8Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  /** The bytes written so far. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export class VarintReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  /** True when every byte has been read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Next value; throws an Error on truncated or over-long input. */
  read(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.buf.length) throw new Error('truncated data');
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (v > 0x7fffffff) throw new Error('value out of range');
        return v;
      }
    }
    throw new Error('over-long varint');
  }
}
