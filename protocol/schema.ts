/**
 * The wire format, declared once. Every message is a MessagePack array [kind, field,
 * field, ...]; this table gives each kind its ordered fields with their type, unit and
 * range. The codec encodes and decodes from it, the validator checks client frames
 * against it, and protocol/README.md's message tables are rendered from it (a test
 * fails when the two differ). Snapshot and Events keep hand-tuned codecs (they are the
 * hot path and carry nested blocks), but their layout is still declared here.
 *
 * Field types: uint / int (integers), float (any number), str (UTF-8), flag (uint 0/1,
 * a boolean in TypeScript), array (see `records` / `items`), rest (every remaining
 * element). `optional` fields are trailing: a frame may stop before them; an absent
 * optional field followed by a present one is written as nil (never as the last element).
 */
import { BUTTON_MASK, Button, CREATE_PRIVATE_ROOM, Limits, ROOM_CODE_ALPHABET } from './messages.ts';
import { PROTOCOL_VERSION } from './version.ts';

export type FieldType = 'uint' | 'int' | 'float' | 'str' | 'flag' | 'array' | 'rest';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Trailing and may be absent; an encoder writes absent ones before a present one as `fallback`. */
  readonly optional?: true;
  readonly fallback?: number;
  /** Validated ranges (client frames only; the client trusts the server's ranges). */
  readonly min?: number;
  readonly max?: number;
  /**
   * optional only: nil on the wire means absent, so a later optional field can be sent
   * without this one (Hello.ticket without a resume token); encoders write nil for it.
   */
  readonly nullable?: true;
  /** str: most UTF-16 code units; pattern: what the whole string must match. */
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** What a pattern accepts, in words, for the close reason (a regex is no help to a person). */
  readonly expected?: string;
  /** uint bit sets: bits outside it are refused. */
  readonly mask?: number;
  /** Present exactly when this bit of that earlier field is set (Input.viewTime with Fire). */
  readonly presentWith?: { readonly field: string; readonly bit: number };
  /** array of flat groups: [a0, b0, a1, b1, ...] is a list of {a, b}. */
  readonly records?: readonly FieldSpec[];
  /** array of scalars of this type. */
  readonly items?: 'uint' | 'int';
  /** The README's "range / meaning" column. */
  readonly doc: string;
}

export interface MessageSpec {
  readonly kind: number;
  readonly name: string;
  readonly fields: readonly FieldSpec[];
}

const MAX_RAW_NAME = 64;
const ROOM_RE = new RegExp(
  `^(|${CREATE_PRIVATE_ROOM}|[${ROOM_CODE_ALPHABET}]{${Limits.ROOM_CODE_MIN},${Limits.ROOM_CODE_MAX}})$`,
);
const WATCH_ROOM_RE = new RegExp(`^[${ROOM_CODE_ALPHABET}]{${Limits.ROOM_CODE_MIN},${Limits.ROOM_CODE_MAX}}$`);
const RESUME_TOKEN_RE = new RegExp(`^[A-Za-z0-9_-]{1,${Limits.RESUME_TOKEN_MAX}}$`);
const SEAT_TICKET_RE = new RegExp(`^[A-Za-z0-9_-]{1,${Limits.SEAT_TICKET_MAX}}$`);

/** Client -> server. */
export const CLIENT_SCHEMA = [
  {
    kind: 1,
    name: 'Hello',
    fields: [
      { name: 'version', type: 'uint', min: 0, max: 0xffff, doc: `0..65535; must equal the server's \`PROTOCOL_VERSION\` (${PROTOCOL_VERSION}) or close 4000` },
      { name: 'name', type: 'str', maxLength: MAX_RAW_NAME, doc: `at most ${MAX_RAW_NAME} UTF-16 code units (longer: 4001). The server cleans it (see §9)` },
      { name: 'room', type: 'str', pattern: ROOM_RE, expected: `"", "${CREATE_PRIVATE_ROOM}" or a room code`, doc: '`""` for quick play, `"new"` for a new private room, or a room code (§9); anything else: 4001' },
      {
        name: 'resumeToken',
        type: 'str',
        optional: true,
        nullable: true,
        pattern: RESUME_TOKEN_RE,
        expected: `1..${Limits.RESUME_TOKEN_MAX} base64url characters`,
        doc: `optional: the latest Welcome's \`resumeToken\`, 1..${Limits.RESUME_TOKEN_MAX} characters of \`A-Z a-z 0-9 - _\` (else 4001), to resume (§13). Unknown, expired or in use: 4011. nil: absent (so a \`ticket\` can follow)`,
      },
      {
        name: 'ticket',
        type: 'str',
        optional: true,
        pattern: SEAT_TICKET_RE,
        expected: `1..${Limits.SEAT_TICKET_MAX} base64url characters`,
        doc: `optional (v6): a seat ticket from \`POST /api/seat\` (§14), 1..${Limits.SEAT_TICKET_MAX} characters of \`A-Z a-z 0-9 - _\` (else 4001); \`room\` must be the code the seat answer named. Unknown, expired, used or for another node: 4012`,
      },
      // Bandwidth budget (issue 10, protocol 6): a client on a slow or metered link asks for less.
      {
        name: 'maxBytesPerSecond',
        type: 'uint',
        optional: true,
        min: 1,
        max: Limits.MAX_BYTES_PER_SECOND,
        doc: `optional (nil when absent before a later field): 1..${Limits.MAX_BYTES_PER_SECOND}, the most snapshot bytes per second you want (§17). The server takes the smaller of this and its own limit, and at least ${Limits.MIN_BYTES_PER_SECOND}`,
      },
      // Rounds (issue 13, protocol 6): the round length of a private room being opened.
      {
        name: 'roundSeconds',
        type: 'uint',
        optional: true,
        min: 0,
        max: Limits.MAX_ROUND_SECONDS,
        doc: `optional, 0..${Limits.MAX_ROUND_SECONDS} (else 4001): the length of a new private room's rounds in seconds (below ${Limits.MIN_ROUND_SECONDS}: ${Limits.MIN_ROUND_SECONDS}), read only from the Hello that opens the room (room \`"new"\`, or the ticket of a seat asked for \`"new"\`); 0 or absent: no rounds. Ignored otherwise (§18)`,
      },
    ],
  },
  {
    kind: 2,
    name: 'Input',
    fields: [
      { name: 'seq', type: 'uint', min: 1, max: Limits.MAX_SEQ, doc: '1..4294967295; the first input is 1, each next one is previous + 1' },
      {
        name: 'buttons',
        type: 'uint',
        min: 0,
        max: 0xff,
        mask: BUTTON_MASK,
        doc: `bit set, 0..${BUTTON_MASK}: Up = 1, Down = 2, Left = 4, Right = 8, Fire = 16, Dash = 32. Any other bit: 4001`,
      },
      { name: 'aim', type: 'uint', min: 0, max: 255, doc: '0..255, the aim angle as one byte (§5); shots fly along it' },
      {
        name: 'viewTime',
        type: 'uint',
        optional: true,
        min: 0,
        max: Limits.MAX_VIEW_TIME,
        presentWith: { field: 'buttons', bit: Button.Fire },
        doc: '**present exactly when Fire is set** (else 4001): 0..4294967295, the server time in ms (the timeline of Snapshot.serverTime, rounded) at which you were drawing the other players when you sampled this input; the server rewinds them to it to judge the shot (§12)',
      },
      // Received-tick feedback (issue 10, protocol 6): the budget follows what really arrives.
      {
        name: 'ackTick',
        type: 'uint',
        optional: true,
        min: 0,
        max: Limits.MAX_SEQ,
        doc: 'optional: 0..4294967295, the `tick` of the latest Snapshot you have received (after a nil `viewTime` when Fire is not set). The server holds back snapshots while too many are in flight for your round trip (§17); without it, only its send buffer does',
      },
    ],
  },
  {
    kind: 3,
    name: 'Ping',
    fields: [
      {
        name: 'clientTime',
        type: 'float',
        min: 0,
        max: 1e15,
        doc: 'finite, 0..1e15: your clock in ms. Echoed back untouched. An integer above 2^32-1 may come in any numeric format, uint64/int64 included (§2)',
      },
    ],
  },
  {
    kind: 4,
    name: 'Viewport',
    fields: [
      {
        name: 'width',
        type: 'uint',
        min: 1,
        max: Limits.MAX_VIEWPORT_REPORT,
        doc: `1..${Limits.MAX_VIEWPORT_REPORT} (\`MAX_VIEWPORT_REPORT\`): the width of the world area you draw, in world px (canvas size divided by zoom). 0, a fraction or more: 4001`,
      },
      { name: 'height', type: 'uint', min: 1, max: Limits.MAX_VIEWPORT_REPORT, doc: `1..${Limits.MAX_VIEWPORT_REPORT}, the same for the height` },
    ],
  },
  {
    kind: 5,
    name: 'Chat',
    fields: [
      {
        name: 'text',
        type: 'str',
        maxLength: Limits.MAX_RAW_CHAT,
        doc: `at most ${Limits.MAX_RAW_CHAT} UTF-16 code units (\`MAX_RAW_CHAT\`, longer: 4001). The server cleans it like a name (§9) and keeps ${Limits.MAX_CHAT_LENGTH} code points (\`MAX_CHAT_LENGTH\`); a line with nothing left is dropped`,
      },
    ],
  },
  {
    kind: 6,
    name: 'Watch',
    fields: [
      { name: 'version', type: 'uint', min: 0, max: 0xffff, doc: `0..65535; must equal the server's \`PROTOCOL_VERSION\` (${PROTOCOL_VERSION}) or close 4000` },
      { name: 'room', type: 'str', pattern: WATCH_ROOM_RE, expected: 'a room code', doc: 'the code of a room to watch (§16): public, or private with its creator\'s leave (AllowWatching); anything else: 4001; no such room to watch: 4004; its spectator seats full: 4003' },
    ],
  },
  {
    kind: 7,
    name: 'AllowWatching',
    fields: [
      { name: 'allow', type: 'uint', min: 0, max: 1, doc: '1: anyone with the code may watch this private room (§16); 0: no new spectators. Only from the room\'s creator (its longest-present player), else 4002' },
    ],
  },
] as const satisfies readonly MessageSpec[];

/** Server -> client. */
export const SERVER_SCHEMA = [
  {
    kind: 10,
    name: 'Welcome',
    fields: [
      { name: 'playerId', type: 'uint', doc: "your player's id in snapshots and roster (§3, player ids)" },
      { name: 'tickRate', type: 'float', doc: 'simulation ticks per second (default 30). One Input is one tick' },
      { name: 'snapshotRate', type: 'float', doc: 'snapshots per second, at most tickRate (default 30)' },
      { name: 'serverTick', type: 'uint', doc: 'the next tick the server will simulate' },
      { name: 'serverTime', type: 'float', doc: 'server clock now, ms (the timeline of Snapshot.serverTime)' },
      { name: 'mapId', type: 'str', doc: 'the map; its Tiled JSON is at `GET /assets/maps/<mapId>.json` (§10)' },
      { name: 'roomCode', type: 'str', doc: 'the room you are in; others join with it' },
      {
        name: 'resumeToken',
        type: 'str',
        optional: true,
        doc: 'secret: present it in a Hello to get this player back after a dropped connection (§13). A new one comes with every Welcome; keep only the latest',
      },
      {
        name: 'resumed',
        type: 'flag',
        optional: true,
        fallback: 0,
        doc: '1: this Welcome gives back your kept player (same id, position, score); 0: a new player',
      },
      {
        name: 'privateRoom',
        type: 'flag',
        optional: true,
        fallback: 0,
        doc: '1: the room is private (created with `"new"`, joined only by its code); 0: public. Absent: 0. Tells a client where to go after a restart (§13)',
      },
      {
        name: 'maxRewindMs',
        type: 'uint',
        optional: true,
        doc: 'how far back (ms) the server rewinds players to judge a shot: a Fire whose `viewTime` is older than this when it reaches the server hits no one (§12). Keep the age of what you draw within it. Absent (never from a version 5 server): 250',
      },
    ],
  },
  {
    kind: 11,
    name: 'Snapshot',
    fields: [
      { name: 'tick', type: 'uint', doc: 'the tick this state is the result of' },
      {
        name: 'serverTime',
        type: 'float',
        doc: "that tick's simulation time, ms since the server's loop started (`tick * 1000 / tickRate`); the reference server sends it rounded to a whole ms",
      },
      { name: 'ackSeq', type: 'uint', doc: 'the highest Input seq **of yours** the server has applied; 0 before any' },
      {
        name: 'baseTick',
        type: 'int',
        doc: 'the `tick` of the snapshot the blocks are a delta against, which is always the last snapshot you received; **-1**: against nothing, start over (§6)',
      },
      {
        name: 'self',
        type: 'array',
        doc: '`[x, y, vx, vy]`, ints: **your own** player, exact: x, y in 1/8 px, vx, vy in 1/8 px/s (§5), the state right after input `ackSeq` was applied. While a dash or its cooldown runs, 6 ints: `[x, y, vx, vy, dash, dashCooldown]`, the sim\'s dash counters (§10); 4 elements mean both are 0',
      },
      {
        name: 'view',
        type: 'array',
        doc: '`[cx0, cy0, cx1, cy1, cols]`, uints: the cells you can see, columns cx0..cx1 and rows cy0..cy1, both inclusive; `cols` is the map\'s width in cells (§6)',
      },
      {
        name: 'blocks',
        type: 'rest',
        doc: 'zero or more cell blocks, at most one per cell, each for a cell inside `view`: full `[cell, 0, entries]` or delta `[cell, 1, changes, escapes, entered, gone]` (§6)',
      },
    ],
  },
  {
    kind: 12,
    name: 'Pong',
    fields: [
      { name: 'clientTime', type: 'float', doc: "the Ping's clientTime, unchanged" },
      { name: 'serverTime', type: 'float', doc: 'server clock (same timeline as snapshots), ms, when the Ping was handled' },
    ],
  },
  {
    kind: 13,
    name: 'Roster',
    fields: [
      {
        name: 'players',
        type: 'array',
        records: [
          { name: 'id', type: 'uint', doc: 'player id' },
          { name: 'name', type: 'str', doc: 'cleaned name' },
        ],
        doc: 'flat pairs: uint id, str name (already cleaned, §9). Everyone in the room, you included',
      },
    ],
  },
  {
    kind: 14,
    name: 'PlayerJoined',
    fields: [
      { name: 'id', type: 'uint', doc: 'the newcomer' },
      { name: 'name', type: 'str', doc: 'its cleaned name (§9)' },
    ],
  },
  {
    kind: 15,
    name: 'PlayerLeft',
    fields: [{ name: 'id', type: 'uint', doc: 'the player who left the room' }],
  },
  {
    kind: 16,
    name: 'Events',
    fields: [
      { name: 'tick', type: 'uint', doc: 'the tick the events happened in (§4: the next Snapshot you get is of this tick or a later one)' },
      { name: 'events', type: 'rest', doc: 'one or more events, in the order they happened; each an array whose element 0 is its type' },
    ],
  },
  {
    kind: 17,
    name: 'MatchState',
    fields: [
      {
        name: 'players',
        type: 'array',
        records: [
          { name: 'id', type: 'uint', doc: 'player id' },
          { name: 'score', type: 'uint', doc: 'kills' },
          { name: 'health', type: 'uint', doc: '0 = dead' },
        ],
        doc: 'flat triples, uints: id, score, health (0 = dead, respawning) of everyone in the room, you included',
      },
      { name: 'pickupsTaken', type: 'array', items: 'uint', doc: 'indices of the pickups that are gone right now (§12)' },
      {
        name: 'positions',
        type: 'array',
        optional: true,
        items: 'uint',
        doc: `optional (protocol 6): flat pairs x, y in whole px, one pair per \`players\` entry in the same order: where everyone is, for the minimap and off-screen markers. Only in rooms of at most ${Limits.RADAR_MAX_PLAYERS} players (\`RADAR_MAX_PLAYERS\`), where MatchState is also resent every ${Limits.RADAR_EVERY_MS} ms (§18)`,
      },
    ],
  },
  {
    kind: 19,
    name: 'RoundState',
    fields: [
      { name: 'round', type: 'uint', doc: 'the round number, 1 for the first' },
      { name: 'phase', type: 'uint', doc: '0 = playing (scores count), 1 = over (the scoreboard shows; nobody can be hurt)' },
      { name: 'endsAt', type: 'float', doc: 'server time (the timeline of Snapshot.serverTime), ms, at which this phase ends: the round\'s end while playing, the next round\'s start while over' },
      { name: 'lengthMs', type: 'uint', doc: "the room's round length, ms" },
      {
        name: 'standings',
        type: 'array',
        records: [
          { name: 'id', type: 'uint', doc: 'player id' },
          { name: 'score', type: 'uint', doc: 'kills in the round' },
        ],
        doc: 'flat pairs id, score: the round\'s final scores, best first (phase 1); empty while playing',
      },
    ],
  },
  {
    kind: 18,
    name: 'InputTiming',
    fields: [
      {
        name: 'adjust',
        type: 'int',
        doc: 'per mille, -50..50: from now on make the interval between your Inputs `(1000 / tickRate) * (1 + adjust / 1000)` ms; positive = slower (your inputs wait longer than your jitter needs), negative = faster (they come late). Until the next InputTiming; a new connection starts at 0 (§7)',
      },
      { name: 'targetMs', type: 'uint', doc: 'the wait the server aims your inputs at, ms: the jitter it measured on your inputs (at most 2 ticks) plus 2 ms. For display only' },
    ],
  },
] as const satisfies readonly MessageSpec[];

export interface EventSpec {
  readonly type: number;
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  /** The README's "fields" explanation and "who gets it" columns. */
  readonly doc: string;
  readonly audience: string;
}

const intField = <N extends string>(name: N) => ({ name, type: 'int', doc: '' }) as const;
const textField = <N extends string>(name: N) => ({ name, type: 'str', doc: '' }) as const;

/** The events of an Events message: [type, field, ...]. All ints but text. */
export const EVENT_SCHEMA = [
  {
    type: 1,
    name: 'Shot',
    fields: [
      intField('shooter'),
      intField('x0'),
      intField('y0'),
      intField('x1'),
      intField('y1'),
      // Protocol 6 (scorecard): the verdict tied to the Fire that caused it, so a shooter
      // can compare what its screen showed with what the server judged.
      { name: 'seq', type: 'int', optional: true, doc: '' },
      { name: 'target', type: 'int', optional: true, doc: '' },
      { name: 'refused', type: 'int', optional: true, doc: '' },
    ],
    doc:
      'a blaster beam from (x0, y0) to where it stopped (a wall, a player, or its range), px, rounded. ' +
      'Since protocol 6 three more: `seq`, the shooter\'s Input seq whose Fire it was; `target`, the player ' +
      'the server\'s rewound trace hit (-1: none; a hit on a spawn-protected player counts, though it does no ' +
      'damage); `refused`, 1 when the view was older than the rewind limit (§12: it hits no one), else 0',
    audience: 'those whose view (§6) the beam crosses, and the shooter',
  },
  {
    type: 2,
    name: 'Hit',
    fields: [intField('victim'), intField('attacker'), intField('damage'), intField('health')],
    doc: "`health` is the victim's after the hit, 0..100",
    audience: 'those who see the victim, the victim and the attacker',
  },
  {
    type: 3,
    name: 'Kill',
    fields: [intField('victim'), intField('killer'), intField('killerScore')],
    doc: "the victim is dead until its Respawn; `killerScore` is the killer's score now",
    audience: 'everyone in the room',
  },
  {
    type: 4,
    name: 'Respawn',
    fields: [intField('player'), intField('x'), intField('y'), intField('health'), intField('protectMs')],
    doc: 'alive again at (x, y) px with full health, immune to damage for `protectMs` ms or until it fires',
    audience: 'everyone',
  },
  {
    type: 5,
    name: 'Pickup',
    fields: [intField('player'), intField('pickup'), intField('health')],
    doc: "the player took health pickup number `pickup` (its index in the map's `pickups` layer, §10) and now has `health`; the pickup is gone until PickupReady",
    audience: 'everyone',
  },
  { type: 6, name: 'PickupReady', fields: [intField('pickup')], doc: 'the pickup is back', audience: 'everyone' },
  {
    type: 7,
    name: 'Chat',
    fields: [intField('player'), textField('text')],
    doc: 'a chat line, already cleaned (§9). **Draw it as text, never as HTML**',
    audience: 'everyone',
  },
  {
    type: 8,
    name: 'Notice',
    fields: [intField('notice'), textField('text')],
    doc: 'for you alone: 1 = your chat line was dropped (rate)',
    audience: 'you',
  },
] as const satisfies readonly EventSpec[];

// ---- the TypeScript shape a table entry describes (tied to messages.ts by types-check.ts) ----

type TsType<F> = F extends { type: 'str' }
  ? string
  : F extends { type: 'flag' }
    ? boolean
    : F extends { records: readonly (infer R)[] }
      ? { [G in R as G extends { name: infer N extends string } ? N : never]: TsType<G> }[]
      : F extends { items: string }
        ? number[]
        : number;

/** The fields of a message or event spec as a TypeScript object type (without kind / type). */
export type FieldsOf<S extends { fields: readonly FieldSpec[] }> = {
  [F in S['fields'][number] as F extends { optional: true } ? never : F['name']]: TsType<F>;
} & {
  [F in S['fields'][number] as F extends { optional: true } ? F['name'] : never]?: TsType<F>;
};

export type ClientSpecNamed<N extends string> = Extract<(typeof CLIENT_SCHEMA)[number], { name: N }>;
export type ServerSpecNamed<N extends string> = Extract<(typeof SERVER_SCHEMA)[number], { name: N }>;
export type EventSpecNamed<N extends string> = Extract<(typeof EVENT_SCHEMA)[number], { name: N }>;
