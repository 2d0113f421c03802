/**
 * The MessagePack instances every codec file shares. msgpackr is configured for standard
 * MessagePack only (no record extension, no msgpackr-specific types) so any conforming
 * decoder in any language reads every frame.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: false, encodeUndefinedAsNil: true });
// BigInts (64-bit ints) stay BigInt so the validator decides about them instead of
// silently losing precision.
export const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const pack = (value: unknown): Uint8Array => packr.pack(value);
