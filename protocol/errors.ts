import { CloseCode } from './close-codes.ts';

/** A message the server must refuse: carries the close code and a reason for the client. */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'ProtocolError';
  }
}

export const malformed = (reason: string): ProtocolError =>
  new ProtocolError(CloseCode.Malformed, reason);
