/**
 * A small MessagePack decoder written from the spec (github.com/msgpack/msgpack/blob/master/spec.md),
 * independent of msgpackr. It accepts only the standard formats and refuses every
 * extension type (0xc7..0xc9, 0xd4..0xd8), the never-used byte 0xc1, invalid UTF-8 and
 * trailing bytes, so a frame it reads is one any conforming decoder reads the same way.
 * Maps decode to Map, binaries to Uint8Array, 64-bit integers to bigint.
 */
export type StrictValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | StrictValue[]
  | Map<StrictValue, StrictValue>;

export class StrictDecodeError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function strictDecode(bytes: Uint8Array): StrictValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;

  const need = (n: number): void => {
    if (pos + n > bytes.byteLength) throw new StrictDecodeError(`truncated at byte ${pos}`);
  };
  const u8 = (): number => {
    need(1);
    return view.getUint8(pos++);
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos);
    pos += 4;
    return v;
  };
  const str = (n: number): string => {
    need(n);
    const s = utf8.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const bin = (n: number): Uint8Array => {
    need(n);
    const b = bytes.slice(pos, pos + n);
    pos += n;
    return b;
  };
  const array = (n: number): StrictValue[] => {
    const out: StrictValue[] = [];
    for (let i = 0; i < n; i++) out.push(value());
    return out;
  };
  const map = (n: number): Map<StrictValue, StrictValue> => {
    const out = new Map<StrictValue, StrictValue>();
    for (let i = 0; i < n; i++) {
      const k = value();
      out.set(k, value());
    }
    return out;
  };

  function value(): StrictValue {
    const b = u8();
    if (b <= 0x7f) return b;
    if (b <= 0x8f) return map(b & 0x0f);
    if (b <= 0x9f) return array(b & 0x0f);
    if (b <= 0xbf) return str(b & 0x1f);
    if (b >= 0xe0) return b - 0x100;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return bin(u8());
      case 0xc5:
        return bin(u16());
      case 0xc6:
        return bin(u32());
      case 0xca: {
        need(4);
        const v = view.getFloat32(pos);
        pos += 4;
        return v;
      }
      case 0xcb: {
        need(8);
        const v = view.getFloat64(pos);
        pos += 8;
        return v;
      }
      case 0xcc:
        return u8();
      case 0xcd:
        return u16();
      case 0xce:
        return u32();
      case 0xcf: {
        need(8);
        const v = view.getBigUint64(pos);
        pos += 8;
        return v;
      }
      case 0xd0: {
        need(1);
        return view.getInt8(pos++);
      }
      case 0xd1: {
        need(2);
        const v = view.getInt16(pos);
        pos += 2;
        return v;
      }
      case 0xd2: {
        need(4);
        const v = view.getInt32(pos);
        pos += 4;
        return v;
      }
      case 0xd3: {
        need(8);
        const v = view.getBigInt64(pos);
        pos += 8;
        return v;
      }
      case 0xd9:
        return str(u8());
      case 0xda:
        return str(u16());
      case 0xdb:
        return str(u32());
      case 0xdc:
        return array(u16());
      case 0xdd:
        return array(u32());
      case 0xde:
        return map(u16());
      case 0xdf:
        return map(u32());
      default:
        // 0xc1 (never used) and every ext format: 0xc7..0xc9, 0xd4..0xd8.
        throw new StrictDecodeError(`non-standard or extension byte 0x${b.toString(16)} at ${pos - 1}`);
    }
  }

  const v = value();
  if (pos !== bytes.byteLength) throw new StrictDecodeError(`${bytes.byteLength - pos} trailing bytes`);
  return v;
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
