/**
 * Snapshot frames, hand-tuned: the per-client part of the hot path. The layout is
 * SERVER_SCHEMA's Snapshot entry; tests check this writer against it byte by byte.
 */
import { ServerKind, type SelfState } from './messages.ts';
import type { ViewRect } from './delta.ts';
import { pack } from './msgpack.ts';
import { PackWriter } from './pack-writer.ts';

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
export class SnapshotWriter extends PackWriter {
  constructor() {
    super(4096);
  }

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
    this.pos = 0;
    this.ensure(need);
    this.arrayHead(SNAPSHOT_HEADER_ELEMENTS + blocks.length);
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
    for (const b of blocks) this.raw(b);
    return this.buf.subarray(0, this.pos);
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
