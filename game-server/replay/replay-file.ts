/**
 * One recording's file, appended asynchronously: each append is queued behind the
 * previous one on the file's own promise chain, so the tick hands its bytes over and
 * goes on (Node's fs work runs on the libuv thread pool, off the event loop). finish()
 * waits for the last write, then reads the file back with the replay reader (the one
 * definition of what a file holds) and appends its footer and trailer.
 */
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { RecordType, encodeTrailer, frameRecord, readReplay } from '../../protocol/replay/index.ts';
import { pack } from '../../protocol/msgpack.ts';
import type { Logger } from '../logger.ts';
import type { ReplayOutput } from './room-recorder.ts';

export class ReplayFile implements ReplayOutput {
  private chain: Promise<void> = Promise.resolve();
  private handle: FileHandle | null = null;
  /** Bytes handed over so far (written or queued). */
  bytes = 0;
  dropped = false;
  finished = false;
  /** Resolves once the footer is on disk (or the file was given up). */
  done: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly startedAtMs: number,
    private readonly log: Logger,
    /** Told of every append's size: the store keeps the disk cap with it. */
    private readonly grew: (file: ReplayFile, bytes: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  append(bytes: Uint8Array): void {
    if (this.dropped || this.finished) return;
    this.bytes += bytes.byteLength;
    this.chain = this.chain.then(async () => {
      if (this.dropped) return;
      // 'wx': a recording never writes over a file it did not create.
      this.handle ??= await open(this.path, 'wx');
      await this.handle.write(bytes);
    }).catch((err: unknown) => this.fail(err));
    this.grew(this, bytes.byteLength);
  }

  finish(): void {
    if (this.finished || this.dropped) return;
    this.finished = true;
    this.chain = this.chain.then(() => this.writeFooter()).catch((err: unknown) => this.fail(err));
    this.done = this.chain;
  }

  /** Stop recording and delete the file (the disk cap chose it). */
  drop(): Promise<void> {
    this.dropped = true;
    this.chain = this.chain.then(async () => {
      await this.close();
      await unlink(this.path).catch(() => {});
    });
    return this.chain;
  }

  /** Settles once everything queued so far is written. */
  settled(): Promise<void> {
    return this.chain;
  }

  private async writeFooter(): Promise<void> {
    if (this.dropped || !this.handle) return;
    const r = readReplay(new Uint8Array(await readFile(this.path)));
    const players: (number | string)[] = [];
    for (const [id, name] of r.names) players.push(id, name);
    const index: number[] = [];
    for (const e of r.index) index.push(e.tick, e.kind, e.a, e.b);
    const footer = frameRecord(pack([RecordType.Footer, r.lastTick, r.lastTime, Math.round(this.now()), players, index]));
    const tail = new Uint8Array(footer.byteLength + 8);
    tail.set(footer, 0);
    tail.set(encodeTrailer(footer.byteLength), footer.byteLength);
    await this.handle.write(tail);
    this.bytes += tail.byteLength;
    this.grew(this, tail.byteLength);
    await this.close();
  }

  private async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close().catch(() => {});
  }

  private fail(err: unknown): void {
    if (this.dropped) return;
    this.log.error({ err, replay: this.id }, 'writing a replay failed: recording stopped');
    this.dropped = true;
    void this.close();
  }
}
