/**
 * Events frames: [16, tick, event, ...], each event [type, field, ...] as EVENT_SCHEMA
 * declares it. An event is packed once and its bytes copied into the frame of every
 * player who gets it, so the frame is assembled here by hand.
 */
import { ServerKind, type GameEvent } from './messages.ts';
import { EVENT_SCHEMA, type FieldSpec } from './schema.ts';
import { malformed } from './errors.ts';
import { pack } from './msgpack.ts';
import { compile, readLenient, type CompiledMessage } from './table-codec.ts';

const fieldsByType: (readonly FieldSpec[] | undefined)[] = [];
const compiledByType: (CompiledMessage | undefined)[] = [];
for (const e of EVENT_SCHEMA) {
  fieldsByType[e.type] = e.fields;
  compiledByType[e.type] = compile(e.type, e.name, e.fields, false);
}

/** One event as its own MessagePack array: encoded once, copied into many Events frames. */
export function encodeEvent(e: GameEvent): Uint8Array {
  const fields = fieldsByType[e.type]!;
  const m = e as unknown as Readonly<Record<string, unknown>>;
  const out: unknown[] = [e.type];
  // Trailing optional fields (Shot's verdict, protocol 6) are left off when absent.
  let end = fields.length;
  while (end > 0 && fields[end - 1]!.optional && m[fields[end - 1]!.name] === undefined) end--;
  for (let i = 0; i < end; i++) out.push(m[fields[i]!.name]);
  return pack(out);
}

/** An Events frame [16, tick, ...events] from events encoded with encodeEvent. */
export function encodeEventsFrame(tick: number, events: readonly Uint8Array[]): Uint8Array {
  const head = pack(tick);
  const count = 2 + events.length;
  const arrayHeader = count <= 15 ? 1 : count <= 0xffff ? 3 : 5;
  let size = arrayHeader + 1 + head.byteLength;
  for (const e of events) size += e.byteLength;
  const out = new Uint8Array(size);
  let pos = 0;
  if (count <= 15) out[pos++] = 0x90 | count;
  else if (count <= 0xffff) {
    out[pos++] = 0xdc;
    out[pos++] = count >> 8;
    out[pos++] = count & 0xff;
  } else {
    out[pos++] = 0xdd;
    new DataView(out.buffer).setUint32(pos, count);
    pos += 4;
  }
  out[pos++] = ServerKind.Events;
  out.set(head, pos);
  pos += head.byteLength;
  for (const e of events) {
    out.set(e, pos);
    pos += e.byteLength;
  }
  return out;
}

/**
 * One event of an Events frame. An event type this client does not know is skipped
 * (null), so a server may add types without breaking older clients; a known type with
 * the wrong shape is an error. Extra trailing elements are ignored.
 */
export function decodeEvent(v: unknown): GameEvent | null {
  if (!Array.isArray(v) || v.length === 0) throw malformed('event must be a non-empty array');
  const type: unknown = v[0];
  if (!Number.isInteger(type)) throw malformed('event type must be an integer');
  const m = compiledByType[type as number];
  if (m === undefined) return null;
  if (v.length < m.required + 1) throw malformed(`${m.label} event needs ${m.required} fields`);
  return readLenient(m, v, 'type') as unknown as GameEvent;
}
