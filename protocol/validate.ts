/**
 * Inbound validation. Everything from a socket is hostile: a decoded value becomes a
 * ClientMessage only if it has exactly the shape, types and ranges that CLIENT_SCHEMA
 * declares. Anything else throws ProtocolError(CloseCode.Malformed, reason).
 */
import { malformed } from './errors.ts';
import { Limits, ROOM_CODE_ALPHABET, type ClientMessage } from './messages.ts';
import { CLIENT_SCHEMA } from './schema.ts';
import { compile, readStrict, type CompiledMessage } from './table-codec.ts';

const ROOM_CODE_RE = new RegExp(
  `^[${ROOM_CODE_ALPHABET}]{${Limits.ROOM_CODE_MIN},${Limits.ROOM_CODE_MAX}}$`,
);

export function isValidRoomCode(code: string): boolean {
  return ROOM_CODE_RE.test(code);
}

/** Compiled client messages, indexed by kind (a sparse array: kinds are small ints). */
const byKind: (CompiledMessage | undefined)[] = [];
for (const m of CLIENT_SCHEMA) byKind[m.kind] = compile(m.kind, m.name, m.fields, true);

export function validateClientMessage(value: unknown): ClientMessage {
  if (!Array.isArray(value) || value.length === 0) throw malformed('message must be a non-empty array');
  const kind: unknown = value[0];
  const m = typeof kind === 'number' ? byKind[kind] : undefined;
  if (m === undefined) throw malformed('unknown message kind');
  // The table and the ClientMessage union are tied by schema-types.ts.
  return readStrict(m, value) as unknown as ClientMessage;
}

// Tabs, line breaks and every Unicode space separator become a plain space (then
// collapse); other control characters and invisible format characters (bidi overrides,
// zero-width spaces and joiners) are dropped outright, so "ad\u200bmin" reads "admin".
const SPACES = /[\t\n\v\f\r\p{Z}]/gu;
// Lone surrogates (\p{Cs}) go too: they are not text and would not survive UTF-8.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * Names are shown to other players: control and invisible characters removed,
 * whitespace collapsed, trimmed, NFC-normalized, cut to MAX_NAME_LENGTH code points.
 * Clients render them as text, never as markup, so < and & are kept as typed.
 */
export function sanitizeName(raw: string, fallback = 'Player'): string {
  const cut = cleanText(raw, Limits.MAX_NAME_LENGTH);
  return cut.length > 0 ? cut : fallback;
}

/**
 * Chat lines get the same cleaning as names, cut to MAX_CHAT_LENGTH code points; ""
 * (nothing visible left) means the line is dropped. Rendered as text, never markup.
 */
export function sanitizeChat(raw: string): string {
  return cleanText(raw, Limits.MAX_CHAT_LENGTH);
}

function cleanText(raw: string, maxCodePoints: number): string {
  const cleaned = raw.replace(SPACES, ' ').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim().normalize('NFC');
  return Array.from(cleaned).slice(0, maxCodePoints).join('').trim();
}
