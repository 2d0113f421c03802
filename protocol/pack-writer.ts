/**
 * Standard MessagePack written by hand into one growable buffer, for the frames and
 * records the server writes on every tick (snapshot frames, replay records): the
 * integers in the smallest format, as msgpackr packs them, pre-encoded parts copied in.
 * Nothing here allocates unless the buffer must grow.
 */
export class PackWriter {
  protected buf: Uint8Array;
  protected view: DataView;
  protected pos = 0;

  constructor(initialBytes: number) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Room for `n` more bytes after what is written (at least doubling when it grows). */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.byteLength) return;
    const next = new Uint8Array(Math.max(this.pos + n, this.buf.byteLength * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An array's head: at most 5 bytes. */
  arrayHead(elements: number): void {
    const b = this.buf;
    if (elements <= 15) b[this.pos++] = 0x90 | elements;
    else if (elements <= 0xffff) {
      b[this.pos++] = 0xdc;
      this.view.setUint16(this.pos, elements);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, elements);
      this.pos += 4;
    }
  }

  /** A number: at most 9 bytes. */
  int(v: number): void {
    const b = this.buf;
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
      // As msgpackr packs it (and the README promises): a fractional serverTime, or one
      // past 2^32 ms (49.7 days of uptime), travels as a float64 instead of throwing.
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
      return;
    }
    if (v >= 0) {
      if (v < 0x80) b[this.pos++] = v;
      else if (v < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = v;
      } else if (v < 0x10000) {
        b[this.pos++] = 0xcd;
        this.view.setUint16(this.pos, v);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, v);
        this.pos += 4;
      }
    } else if (v >= -32) b[this.pos++] = v & 0xff;
    else if (v >= -0x80) {
      b[this.pos++] = 0xd0;
      this.view.setInt8(this.pos++, v);
    } else if (v >= -0x8000) {
      b[this.pos++] = 0xd1;
      this.view.setInt16(this.pos, v);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xd2;
      this.view.setInt32(this.pos, v);
      this.pos += 4;
    }
  }

  /** A bin element: at most 5 + bytes.length bytes. */
  bin(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    const b = this.buf;
    if (n < 0x100) {
      b[this.pos++] = 0xc4;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xc5;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc6;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    this.raw(bytes);
  }

  /** Bytes already encoded (a cell block, a framed record), copied in as they are. */
  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }
}
