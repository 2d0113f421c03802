import { Packr } from 'msgpackr';
import * as P from '../protocol/index.ts';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tryDec = (label: string, b: Uint8Array) => {
  try { console.log(label, JSON.stringify(P.decodeClientMessage(b))); }
  catch (e: any) { console.log(label, 'ERR', e.code, e.message); }
};
const good = Uint8Array.from([0x94, 2, 0x40, 0, 0]);
tryDec('good before', good);
const evil = new Packr({ useRecords: true }).pack([2, { a: 1 }, 0, 0]);
console.log(hex(evil));
tryDec('evil', evil);
tryDec('good after', good);
tryDec('good2 after', Uint8Array.from([0x94, 2, 0x41, 0, 0]));
tryDec('server', P.encodeServerMessage({kind:12, clientTime: 64, serverTime: 65}) as any);
try { console.log(JSON.stringify(P.decodeServerMessage(P.encodeServerMessage({kind:12, clientTime: 64, serverTime: 65})))); } catch (e: any) { console.log('srv err', e.message); }
