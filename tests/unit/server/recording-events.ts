/** An EventSink for tests: records every event, whoever it is addressed to. */
import type { GameEvent } from '../../../protocol/index.ts';
import type { EventSink } from '../../../game-server/world/arena.ts';

export class RecordingEvents implements EventSink {
  readonly list: GameEvent[] = [];
  all(e: GameEvent): void {
    this.list.push(e);
  }
  near(e: GameEvent): void {
    this.list.push(e);
  }
  to(_id: number, e: GameEvent): void {
    this.list.push(e);
  }
  of<T extends GameEvent['type']>(type: T): Extract<GameEvent, { type: T }>[] {
    return this.list.filter((e): e is Extract<GameEvent, { type: T }> => e.type === type);
  }
}
