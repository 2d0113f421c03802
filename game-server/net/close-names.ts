/**
 * Names of close codes in the server's logs and metrics: the protocol's own
 * (protocol/close-codes.ts) and the ones the WebSocket layer itself uses.
 */
import { closeCodeName } from '../../protocol/index.ts';

/**
 * RFC 6455's "internal error": a bug of ours closed the connection (a throwing handler,
 * a failed room). Numeric here until protocol/close-codes.ts names it.
 */
export const INTERNAL_ERROR = 1011;

const STANDARD: Record<number, string> = {
  1001: 'GoingAway',
  1005: 'NoStatus',
  1006: 'Abnormal',
  1009: 'MessageTooBig',
  [INTERNAL_ERROR]: 'InternalError',
};

export function describeCloseCode(code: number): string {
  return STANDARD[code] ?? closeCodeName(code);
}
