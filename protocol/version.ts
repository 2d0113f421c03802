/**
 * Bumped on any change to the wire format or to the shared sim rules (a rule change
 * breaks prediction just as surely as a layout change). The server refuses a hello
 * whose version differs, with CloseCode.VersionMismatch.
 */
export const PROTOCOL_VERSION = 6;
