/**
 * Snapshot frames, hand-tuned: the per-client part of the hot path. The layout is
 * SERVER_SCHEMA's Snapshot entry; tests check this writer against it byte by byte.
 */
import { ServerKind, type SelfState } from './messages.ts';
import type { ViewRect } from './delta.ts';
import { pack } from './msgpack.ts';

/** Pack one cell block (from encodeFullCell / encodeCellDelta) once; many frames reuse it. */
export function encodeCellBlock(block: unknown[]): Uint8Array {
  return pack(block);
}

/** Elements before the first cell block: kind, tick, serverTime, ackSeq, baseTick, self, view. */
export const SNAPSHOT_HEADER_ELEMENTS = 7;

/**
 * Writes snapshot frames into one reusable buffer: the per-client part of the hot path
 * allocates nothing. The header is all integers, written here directly in standard
 * MessagePack (smallest int format, as msgpackr would); the cell blocks are copied in
 * as they were encoded once for everyone.
 */
export class SnapshotWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** The frame, valid until the next call: send it (or copy it) before writing another. */
  write(
    tick: number,
    serverTime: number,
    ackSeq: number,
    baseTick: number,
    self: SelfState,
    view: ViewRect,
    blocks: readonly Uint8Array[],
  ): Uint8Array {
    // Header: at most 3 + 1 + 4 * 9 + 1 + 6 * 9 + 1 + 5 * 9 = 141 bytes (every number a float64).
    let need = 144;
    for (const b of blocks) need += b.byteLength;
    if (need > this.buf.byteLength) {
      this.buf = new Uint8Array(Math.max(need, this.buf.byteLength * 2));
      this.view = new DataView(this.buf.buffer);
    }
    this.pos = 0;
    const count = SNAPSHOT_HEADER_ELEMENTS + blocks.length;
    if (count <= 15) this.buf[this.pos++] = 0x90 | count;
    else {
      this.buf[this.pos++] = 0xdc;
      this.view.setUint16(this.pos, count);
      this.pos += 2;
    }
    this.int(ServerKind.Snapshot);
    this.int(tick);
    this.int(serverTime);
    this.int(ackSeq);
    this.int(baseTick);
    // The dash state only travels while it is non-zero: most snapshots keep 4 elements.
    const dash = self.dash ?? 0;
    const dashCooldown = self.dashCooldown ?? 0;
    const withDash = dash !== 0 || dashCooldown !== 0;
    this.buf[this.pos++] = withDash ? 0x96 : 0x94;
    this.int(self.x);
    this.int(self.y);
    this.int(self.vx);
    this.int(self.vy);
    if (withDash) {
      this.int(dash);
      this.int(dashCooldown);
    }
    this.buf[this.pos++] = 0x95;
    this.int(view.cx0);
    this.int(view.cy0);
    this.int(view.cx1);
    this.int(view.cy1);
    this.int(view.cols);
    for (const b of blocks) {
      this.buf.set(b, this.pos);
      this.pos += b.byteLength;
    }
    return this.buf.subarray(0, this.pos);
  }

  private int(v: number): void {
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
}

/**
 * A snapshot frame from its per-client header and pre-encoded cell blocks, in a fresh
 * buffer (see SnapshotWriter for the allocation-free form the server uses).
 */
export function encodeSnapshot(
  tick: number,
  serverTime: number,
  ackSeq: number,
  baseTick: number,
  self: SelfState,
  view: ViewRect,
  blocks: readonly Uint8Array[],
): Uint8Array {
  return new SnapshotWriter().write(tick, serverTime, ackSeq, baseTick, self, view, blocks).slice();
}
