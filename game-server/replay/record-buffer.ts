/**
 * Where a recording's records are written as the ticks go by: one growable buffer,
 * framed and CRC'd in place (protocol/replay/format.ts), taken out whole at each flush.
 * Writing a tick allocates nothing: its frames are copied in, their MessagePack heads
 * written by hand (standard MessagePack, smallest int format, as msgpackr would).
 */
import { RECORD_HEAD_BYTES, crc32 } from '../../protocol/replay/index.ts';

export class RecordBuffer {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private recordStart = -1;

  get length(): number {
    return this.pos;
  }

  /** Open a record whose array has `elements` elements; fill it, then end(). */
  begin(elements: number, maxBytes: number): void {
    this.reserve(RECORD_HEAD_BYTES + 5 + maxBytes);
    this.recordStart = this.pos;
    this.pos += RECORD_HEAD_BYTES;
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

  /** A non-negative integer (ticks, times): at most 9 bytes. */
  uint(v: number): void {
    const b = this.buf;
    if (v < 0x80) b[this.pos++] = v;
    else if (v < 0x100) {
      b[this.pos++] = 0xcc;
      b[this.pos++] = v;
    } else if (v < 0x10000) {
      b[this.pos++] = 0xcd;
      this.view.setUint16(this.pos, v);
      this.pos += 2;
    } else if (v <= 0xffffffff) {
      b[this.pos++] = 0xce;
      this.view.setUint32(this.pos, v);
      this.pos += 4;
    } else {
      // Past 2^32 (49.7 days of server time) as a float64, as msgpackr packs it: readers
      // get a number, not a BigInt.
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
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
    b.set(bytes, this.pos);
    this.pos += n;
  }

  /** Close the open record: its length and CRC-32 go into its head. */
  end(): void {
    const start = this.recordStart;
    const payload = start + RECORD_HEAD_BYTES;
    this.view.setUint32(start, this.pos - payload);
    this.view.setUint32(start + 4, crc32(this.buf, payload, this.pos));
    this.recordStart = -1;
  }

  /** Whole bytes, already framed (the preamble, a packed record). */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.byteLength);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  /** Drop what was written (nowhere to send it). */
  clear(): void {
    this.pos = 0;
  }

  /** Everything written since the last take, as a copy; the buffer starts over. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.byteLength) return;
    const next = new Uint8Array(Math.max(this.pos + n, this.buf.byteLength * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
