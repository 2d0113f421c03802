/**
 * Where rooms live, as the lobby sees it. The in-memory directory (memory-directory.ts)
 * serves one process; a shared (Redis) directory for several nodes implements the same
 * shape later, and nothing but the lobby will know which one it talks to.
 */
import type { Room } from '../room.ts';

export interface RoomDirectory {
  /** The rooms this process hosts, by code (a room's tick is always local). */
  readonly rooms: ReadonlyMap<string, Room>;
  /** Quick play: a public room with a free seat, else a new one. */
  quickPlay(): Room;
  /** A specific room by code; throws ProtocolError (RoomNotFound, RoomFull) if it cannot be joined. */
  byCode(code: string): Room;
  /** A new room; throws ProtocolError(ServerFull) over the room limit. */
  create(isPublic: boolean): Room;
  /** The room is gone (emptied, or failed): no longer listed, its code free again. */
  remove(room: Room): void;
}
