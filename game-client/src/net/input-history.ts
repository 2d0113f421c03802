/**
 * The inputs sent but not yet acknowledged, by seq: what reconciliation replays.
 * A fixed ring so a client (or a thousand bots) allocates nothing per tick. When the
 * server stops acknowledging for longer than the ring holds, the oldest inputs are
 * overwritten; replay then stops at the gap and the next acknowledgement corrects it.
 */
export class InputHistory {
  readonly capacity: number;
  private readonly seqs: Float64Array;
  private readonly buttons: Uint8Array;
  private readonly aims: Uint8Array;
  /** Highest seq recorded (0 before any). */
  lastSeq = 0;
  /** Highest seq the server acknowledged (0 before any). */
  ackedSeq = 0;
  /** Unacknowledged inputs lost because the ring was full. */
  overflows = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.seqs = new Float64Array(this.capacity);
    this.buttons = new Uint8Array(this.capacity);
    this.aims = new Uint8Array(this.capacity);
  }

  /** Number of inputs sent and not yet acknowledged (some may have been overwritten). */
  get pending(): number {
    return this.lastSeq - this.ackedSeq;
  }

  record(seq: number, buttons: number, aim: number): void {
    const i = seq % this.capacity;
    const old = this.seqs[i]!;
    if (old > this.ackedSeq && old !== 0 && old !== seq) this.overflows++;
    this.seqs[i] = seq;
    this.buttons[i] = buttons;
    this.aims[i] = aim;
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  /** Acknowledgements only move forward; a stale one (reordered, repeated) is ignored. */
  ack(seq: number): void {
    if (seq > this.ackedSeq) this.ackedSeq = Math.min(seq, this.lastSeq);
  }

  has(seq: number): boolean {
    return seq > 0 && this.seqs[seq % this.capacity] === seq;
  }

  /** Buttons of input seq, or -1 if it is not held (never sent, or overwritten). */
  buttonsOf(seq: number): number {
    const i = seq % this.capacity;
    return seq > 0 && this.seqs[i] === seq ? this.buttons[i]! : -1;
  }

  /** Aim byte of input seq, or -1 if it is not held. */
  aimOf(seq: number): number {
    const i = seq % this.capacity;
    return seq > 0 && this.seqs[i] === seq ? this.aims[i]! : -1;
  }
}
