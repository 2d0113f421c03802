/** Client -> server frames: encoded from, and checked against, CLIENT_SCHEMA. */
import { ProtocolError, malformed } from './errors.ts';
import { CloseCode } from './close-codes.ts';
import { Limits, type ClientMessage } from './messages.ts';
import { CLIENT_SCHEMA, type FieldSpec } from './schema.ts';
import { pack, unpackr } from './msgpack.ts';
import { validateClientMessage } from './validate.ts';

const fieldsByKind: (readonly FieldSpec[] | undefined)[] = [];
for (const m of CLIENT_SCHEMA) fieldsByKind[m.kind] = m.fields;

export function encodeClientMessage(msg: ClientMessage): Uint8Array {
  const fields = fieldsByKind[msg.kind]!;
  const m = msg as unknown as Readonly<Record<string, unknown>>;
  // Every client field is a scalar, so the array is the fields in order, up to the
  // last optional one present; an absent one before it is written as its fallback.
  let end = fields.length;
  while (end > 0 && fields[end - 1]!.optional && m[fields[end - 1]!.name] === undefined) end--;
  const out: unknown[] = [msg.kind];
  for (let i = 0; i < end; i++) {
    const f = fields[i]!;
    const v = m[f.name];
    out.push(v === undefined ? f.fallback : v);
  }
  return pack(out);
}

/**
 * Decode and validate one frame from a client. Throws ProtocolError with the close code
 * to answer it with; never returns anything but an exactly-valid message.
 */
export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  if (bytes.byteLength > Limits.MAX_CLIENT_FRAME_BYTES)
    throw new ProtocolError(
      CloseCode.FrameTooLarge,
      `frame of ${bytes.byteLength} bytes exceeds ${Limits.MAX_CLIENT_FRAME_BYTES}`,
    );
  // Every client message is a short fixarray (0x91..0x9f); checking the first byte
  // refuses most garbage before the decoder sees it.
  const first = bytes[0];
  if (first === undefined || first < 0x91 || first > 0x9f)
    throw malformed('frame is not a MessagePack array of 1..15 elements');
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch {
    throw malformed('frame is not valid MessagePack');
  }
  return validateClientMessage(value);
}
