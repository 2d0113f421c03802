/**
 * Names of close codes in the server's logs and metrics: the protocol's own
 * (protocol/close-codes.ts) and the ones the WebSocket layer itself uses.
 */
import { closeCodeName } from '../../protocol/index.ts';

const STANDARD: Record<number, string> = {
  1001: 'GoingAway',
  1005: 'NoStatus',
  1006: 'Abnormal',
  1009: 'MessageTooBig',
};

export function describeCloseCode(code: number): string {
  return STANDARD[code] ?? closeCodeName(code);
}
