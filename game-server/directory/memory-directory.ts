/** The one-process room directory: rooms in a map, codes drawn from a seeded random. */
import { CloseCode, ProtocolError, ROOM_CODE_ALPHABET, type CollisionMap } from '../../protocol/index.ts';
import { Room, type RoomOptions } from '../room.ts';
import type { RoomDirectory } from './room-directory.ts';

export interface DirectoryOptions extends RoomOptions {
  maxRooms: number;
}

const CODE_LENGTH = 5;

export class MemoryRoomDirectory implements RoomDirectory {
  readonly rooms = new Map<string, Room>();

  constructor(
    private readonly map: CollisionMap,
    private readonly opts: DirectoryOptions,
  ) {}

  /** The fullest public room that still has a seat, else a new one. */
  quickPlay(): Room {
    let best: Room | null = null;
    for (const r of this.rooms.values()) {
      if (!r.isPublic || r.isFull) continue;
      if (!best || r.size > best.size) best = r;
    }
    return best ?? this.create(true);
  }

  byCode(code: string): Room {
    const room = this.rooms.get(code);
    if (!room) throw new ProtocolError(CloseCode.RoomNotFound, `no room with code ${code}`);
    if (room.isFull) throw new ProtocolError(CloseCode.RoomFull, `room ${code} is full (${room.capacity} players)`);
    return room;
  }

  create(isPublic: boolean): Room {
    if (this.rooms.size >= this.opts.maxRooms)
      throw new ProtocolError(CloseCode.ServerFull, `server is at its limit of ${this.opts.maxRooms} rooms`);
    let code = '';
    do code = this.newCode();
    while (this.rooms.has(code));
    const room = new Room(code, isPublic, this.map, this.opts);
    this.rooms.set(code, room);
    return room;
  }

  remove(room: Room): void {
    // Only this very room: a failed room's code may already name a newer one.
    if (this.rooms.get(room.code) === room) this.rooms.delete(room.code);
  }

  private newCode(): string {
    let s = '';
    for (let i = 0; i < CODE_LENGTH; i++)
      s += ROOM_CODE_ALPHABET[Math.floor(this.opts.random() * ROOM_CODE_ALPHABET.length)];
    return s;
  }
}
