/**
 * The one codec both sides use, by direction: client-codec.ts (client -> server, with
 * validate.ts), server-codec.ts and events-codec.ts (server -> client), and
 * snapshot-writer.ts (the hand-tuned snapshot path). All of it follows schema.ts.
 */
export { encodeClientMessage, decodeClientMessage } from './client-codec.ts';
export { encodeServerMessage, decodeServerMessage } from './server-codec.ts';
export { encodeEvent, encodeEventsFrame } from './events-codec.ts';
export { SnapshotWriter, encodeSnapshot, encodeCellBlock } from './snapshot-writer.ts';
