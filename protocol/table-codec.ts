/**
 * Encoding, decoding and validation derived from the tables in schema.ts. Each table
 * entry is compiled once, at load, into per-field readers, so decoding a frame is a
 * loop over prepared closures rather than a walk over the spec.
 *
 * Two strictness levels: `strict` (frames from clients: every range, length, mask and
 * pattern checked, exactly the documented element count) and lenient (frames from the
 * server: types checked so a bad frame is a clear error, extra trailing elements
 * ignored, as README §2 promises for compatible growth).
 */
import { malformed } from './errors.ts';
import type { FieldSpec } from './schema.ts';

type Reader = (v: unknown) => unknown;

interface CompiledField {
  readonly name: string;
  readonly optional: boolean;
  /** The earlier field whose bit decides this one's presence, if any. */
  readonly presentWith: { readonly index: number; readonly bit: number; readonly error: string } | null;
  readonly read: Reader;
}

export interface CompiledMessage {
  readonly kind: number;
  readonly label: string;
  readonly required: number;
  readonly fields: readonly CompiledField[];
  readonly lengthError: string;
  /** By frame length: the object builder for that many present fields (see builder()). */
  readonly builders: ((vals: readonly unknown[]) => Record<string, unknown>)[];
}

const UINT32_MAX = 0xffffffff;

const rangeText = (f: FieldSpec): string => {
  const hi = f.max === UINT32_MAX ? '2^32-1' : f.max === Number.MAX_SAFE_INTEGER ? '2^53-1' : String(f.max);
  return `${f.min ?? 0}..${hi}`;
};

/**
 * A 64-bit MessagePack integer arrives as a BigInt. It is refused unless the field's
 * range goes past 32 bits and the value needs more than 32 (encoders that pack a
 * millisecond epoch as uint64 are right to; a small value in 64 bits is not).
 */
function wideInt(v: unknown, f: FieldSpec): number | undefined {
  if (typeof v !== 'bigint' || f.max === undefined || f.max <= UINT32_MAX) return undefined;
  if (v <= BigInt(UINT32_MAX) || v > BigInt(f.max)) return undefined;
  return Number(v);
}

function strictReader(label: string, f: FieldSpec): Reader {
  const inner = strictValueReader(label, f);
  return f.nullable ? (v) => (v === null ? undefined : inner(v)) : inner;
}

function strictValueReader(label: string, f: FieldSpec): Reader {
  const what = `${label}.${f.name}`;
  const min = f.min ?? -Infinity;
  const max = f.max ?? Infinity;
  switch (f.type) {
    case 'uint':
    case 'int': {
      const err = f.mask !== undefined ? `${what} has unknown bits` : `${what} must be an integer ${rangeText(f)}`;
      const notMask = f.mask !== undefined ? ~f.mask : 0;
      return (v) => {
        if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max && (v & notMask) === 0) return v;
        const wide = wideInt(v, f);
        if (wide !== undefined) return wide;
        throw malformed(err);
      };
    }
    case 'float': {
      const err = `${what} must be a finite number ${rangeText(f)}`;
      return (v) => {
        if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
        const wide = wideInt(v, f);
        if (wide !== undefined) return wide;
        throw malformed(err);
      };
    }
    case 'str': {
      const maxLength = f.maxLength ?? Infinity;
      const pattern = f.pattern;
      const err =
        pattern !== undefined ? `${what} must be ${f.expected ?? `a string matching ${String(pattern)}`}` : `${what} must be a string of at most ${maxLength} characters`;
      return (v) => {
        if (typeof v === 'string' && v.length <= maxLength && (pattern === undefined || pattern.test(v))) return v;
        throw malformed(err);
      };
    }
    default:
      throw new Error(`${what}: a client field cannot be of type ${f.type}`);
  }
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

function intList(what: string): Reader {
  return (v) => {
    if (!Array.isArray(v)) throw malformed(`${what} must be an array`);
    for (const x of v) if (!isInt(x)) throw malformed(`${what} must hold integers`);
    return v;
  };
}

function lenientReader(label: string, f: FieldSpec): Reader {
  const what = `${label}.${f.name}`;
  switch (f.type) {
    case 'uint':
    case 'int':
      return (v) => {
        if (!isInt(v)) throw malformed(`${what} must be an integer`);
        return v;
      };
    case 'float':
      return (v) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(`${what} must be a number`);
        return v;
      };
    case 'str':
      return (v) => {
        if (typeof v !== 'string') throw malformed(`${what} must be a string`);
        return v;
      };
    // Any value but 1 reads as false, as it always has: a flag never ends a session.
    case 'flag':
      return (v) => v === 1;
    case 'array': {
      if (f.items !== undefined) return intList(what);
      const records = f.records;
      if (!records) throw new Error(`${what}: an array field needs records or items`);
      const readers = records.map((r) => lenientReader(label, r));
      const n = records.length;
      const names = records.map((r) => r.name);
      return (v) => {
        if (!Array.isArray(v) || v.length % n !== 0) throw malformed(`${what} must be [${names.join(', ')}, ...]`);
        const out: Record<string, unknown>[] = [];
        for (let i = 0; i < v.length; i += n) {
          const rec: Record<string, unknown> = {};
          for (let k = 0; k < n; k++) rec[names[k]!] = readers[k]!(v[i + k]);
          out.push(rec);
        }
        return out;
      };
    }
    default:
      throw new Error(`${what}: type ${f.type} has a hand-written codec`);
  }
}

export function compile(kind: number, name: string, fields: readonly FieldSpec[], strict: boolean): CompiledMessage {
  const label = name.charAt(0).toLowerCase() + name.slice(1);
  const required = fields.filter((f) => !f.optional).length;
  const total = fields.length + 1;
  const lengths = required + 1 === total ? `${total}` : `${required + 1}${total - required === 2 ? ' or ' : ' to '}${total}`;
  return {
    kind,
    label,
    required,
    lengthError: `${label} takes ${lengths} elements`,
    builders: [],
    fields: fields.map((f) => ({
      name: f.name,
      optional: f.optional === true,
      presentWith: f.presentWith
        ? {
            index: fields.findIndex((g) => g.name === f.presentWith!.field),
            bit: f.presentWith.bit,
            error: `${label}.${f.name} must be present exactly when ${label}.${f.presentWith.field} has bit ${f.presentWith.bit}`,
          }
        : null,
      read: strict ? strictReader(label, f) : lenientReader(label, f),
    })),
  };
}

/**
 * A client frame's array to its message: exactly the documented element count, every
 * field in range. The caller has checked that value[0] is this message's kind.
 */
export function readStrict(m: CompiledMessage, value: unknown[]): Record<string, unknown> {
  const n = value.length;
  if (n < m.required + 1 || n > m.fields.length + 1) throw malformed(m.lengthError);
  const fields = m.fields;
  const vals = scratch;
  // Bit i: field i is present. An optional field may be nil when a later element
  // follows (it is absent), never as the last element: one shape per meaning.
  let present = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const inFrame = i + 1 < n;
    const nil = inFrame && f.optional && value[i + 1] === null;
    if (nil && i + 2 >= n) throw malformed(`${m.label}.${f.name}: nil as the last element`);
    const here = inFrame && !nil;
    if (f.presentWith !== null) {
      // The field comes exactly with its bit, nothing to guess.
      const on = ((vals[f.presentWith.index] as number) & f.presentWith.bit) !== 0;
      if (on !== here) throw malformed(f.presentWith.error);
    }
    if (!inFrame) break;
    if (here) {
      vals[i] = f.read(value[i + 1]);
      present |= 1 << i;
    }
  }
  const build = (m.builders[present] ??= builder(m, present));
  return build(vals);
}

const scratch: unknown[] = [];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The object of a message with the fields of the bit set `present`, as a function written
 * for that shape: an object literal with fixed keys is what V8 builds fastest, where
 * storing computed keys one by one costs several times the whole decode of an Input.
 * The keys are the schema's own identifiers, checked here; nothing from a frame is
 * compiled. Built on first use, so a client that never validates never compiles one.
 */
function builder(m: CompiledMessage, present: number): (vals: readonly unknown[]) => Record<string, unknown> {
  const parts = [`kind: ${m.kind}`];
  for (let i = 0; i < m.fields.length; i++) {
    if ((present & (1 << i)) === 0) continue;
    const name = m.fields[i]!.name;
    if (!IDENTIFIER.test(name)) throw new Error(`${m.label}: field name ${name} is not an identifier`);
    parts.push(`${name}: v[${i}]`);
  }
  return new Function('v', `return { ${parts.join(', ')} };`) as (vals: readonly unknown[]) => Record<string, unknown>;
}

/** A server frame's array to its message: trailing elements past the known fields are ignored. */
export function readLenient(m: CompiledMessage, value: unknown[], tag = 'kind'): Record<string, unknown> {
  const out: Record<string, unknown> = { [tag]: m.kind };
  const fields = m.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.optional && i + 1 >= value.length) break;
    out[f.name] = f.read(value[i + 1]);
  }
  return out;
}

/**
 * A message's array as it goes on the wire: required fields, then optional ones up to
 * the last that is present, then any directly following that have a fallback (an absent
 * field with a fallback is written as it). So a Welcome with a resume token always
 * carries its flags too, and one without stops after roomCode.
 */
export function toArray(head: number, fields: readonly FieldSpec[], msg: Readonly<Record<string, unknown>>): unknown[] {
  let end = fields.length;
  while (end > 0 && fields[end - 1]!.optional && msg[fields[end - 1]!.name] === undefined) end--;
  if (end > 0 && fields[end - 1]!.optional) while (end < fields.length && fields[end]!.fallback !== undefined) end++;
  const out: unknown[] = [head];
  for (let i = 0; i < end; i++) {
    const f = fields[i]!;
    const v = msg[f.name];
    if (f.type === 'flag') out.push(v === undefined ? (f.fallback ?? 0) : v ? 1 : 0);
    else if (f.records) {
      const flat: unknown[] = [];
      for (const rec of v as Record<string, unknown>[]) for (const r of f.records) flat.push(rec[r.name]);
      out.push(flat);
    } else out.push(v === undefined ? (f.nullable ? null : f.fallback) : v);
  }
  return out;
}
