/**
 * Where a recording's records are written as the ticks go by: one growable buffer,
 * framed and CRC'd in place (protocol/replay/format.ts), taken out whole at each flush.
 * Writing a tick allocates nothing: its frames are copied in, their MessagePack heads
 * written by hand (standard MessagePack, smallest int format, as msgpackr would).
 */
import { PackWriter } from '../../protocol/pack-writer.ts';
import { RECORD_HEAD_BYTES, crc32 } from '../../protocol/replay/index.ts';

export class RecordBuffer extends PackWriter {
  private recordStart = -1;

  constructor() {
    super(64 * 1024);
  }

  get length(): number {
    return this.pos;
  }

  /** Open a record whose array has `elements` elements; fill it, then end(). */
  begin(elements: number, maxBytes: number): void {
    this.ensure(RECORD_HEAD_BYTES + 5 + maxBytes);
    this.recordStart = this.pos;
    this.pos += RECORD_HEAD_BYTES;
    this.arrayHead(elements);
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
  override raw(bytes: Uint8Array): void {
    this.ensure(bytes.byteLength);
    super.raw(bytes);
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
}
