/**
 * Inbound validation. Everything from a socket is hostile: a decoded value becomes a
 * ClientMessage only if it has exactly the documented shape, types and ranges.
 * Anything else throws ProtocolError(CloseCode.Malformed, reason).
 */
import { malformed } from './errors.ts';
import {
  BUTTON_MASK,
  Button,
  CREATE_PRIVATE_ROOM,
  ClientKind,
  Limits,
  ROOM_CODE_ALPHABET,
  type ClientMessage,
} from './messages.ts';

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Generous bound on the raw name before sanitizing; longer is an abuse, not a typo. */
const MAX_RAW_NAME = 64;
const ROOM_CODE_RE = new RegExp(
  `^[${ROOM_CODE_ALPHABET}]{${Limits.ROOM_CODE_MIN},${Limits.ROOM_CODE_MAX}}$`,
);

const RESUME_TOKEN_RE = new RegExp(`^[A-Za-z0-9_-]{1,${Limits.RESUME_TOKEN_MAX}}$`);

export function isValidRoomCode(code: string): boolean {
  return ROOM_CODE_RE.test(code);
}

export function validateClientMessage(value: unknown): ClientMessage {
  if (!Array.isArray(value) || value.length === 0) throw malformed('message must be a non-empty array');
  const kind = value[0];
  switch (kind) {
    case ClientKind.Hello: {
      if (value.length !== 4 && value.length !== 5) throw malformed('hello takes 4 or 5 elements');
      const [, version, name, room, resumeToken] = value;
      if (!isInt(version, 0, 0xffff)) throw malformed('hello.version must be an integer 0..65535');
      if (typeof name !== 'string' || name.length > MAX_RAW_NAME)
        throw malformed(`hello.name must be a string of at most ${MAX_RAW_NAME} characters`);
      if (typeof room !== 'string' || (room !== '' && room !== CREATE_PRIVATE_ROOM && !isValidRoomCode(room)))
        throw malformed(`hello.room must be "", "${CREATE_PRIVATE_ROOM}" or a room code`);
      if (value.length === 5) {
        if (typeof resumeToken !== 'string' || !RESUME_TOKEN_RE.test(resumeToken))
          throw malformed(`hello.resumeToken must be 1..${Limits.RESUME_TOKEN_MAX} base64url characters`);
        return { kind, version, name, room, resumeToken };
      }
      return { kind, version, name, room };
    }
    case ClientKind.Input: {
      if (value.length !== 4 && value.length !== 5) throw malformed('input takes 4 elements, 5 with Fire');
      const [, seq, buttons, aim, viewTime] = value;
      if (!isInt(seq, 1, Limits.MAX_SEQ)) throw malformed('input.seq must be an integer 1..2^32-1');
      if (!isInt(buttons, 0, 0xff) || (buttons & ~BUTTON_MASK) !== 0)
        throw malformed('input.buttons has unknown bits');
      if (!isInt(aim, 0, 255)) throw malformed('input.aim must be an integer 0..255');
      // viewTime comes exactly with Fire: one shape per meaning, nothing to guess.
      const fire = (buttons & Button.Fire) !== 0;
      if (fire !== (value.length === 5)) throw malformed('input.viewTime must be present exactly when Fire is held');
      if (!fire) return { kind, seq, buttons, aim };
      if (!isInt(viewTime, 0, Limits.MAX_VIEW_TIME)) throw malformed('input.viewTime must be an integer 0..2^32-1');
      return { kind, seq, buttons, aim, viewTime };
    }
    case ClientKind.Chat: {
      if (value.length !== 2) throw malformed('chat takes 2 elements');
      const text = value[1];
      if (typeof text !== 'string' || text.length > Limits.MAX_RAW_CHAT)
        throw malformed(`chat.text must be a string of at most ${Limits.MAX_RAW_CHAT} characters`);
      return { kind, text };
    }
    case ClientKind.Ping: {
      if (value.length !== 2) throw malformed('ping takes 2 elements');
      const t = value[1];
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 1e15)
        throw malformed('ping.clientTime must be a finite number 0..1e15');
      return { kind, clientTime: t };
    }
    case ClientKind.Viewport: {
      if (value.length !== 3) throw malformed('viewport takes 3 elements');
      const [, width, height] = value;
      if (!isInt(width, 1, Limits.MAX_VIEWPORT_REPORT) || !isInt(height, 1, Limits.MAX_VIEWPORT_REPORT))
        throw malformed(`viewport width and height must be integers 1..${Limits.MAX_VIEWPORT_REPORT}`);
      return { kind, width, height };
    }
    default:
      throw malformed('unknown message kind');
  }
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
