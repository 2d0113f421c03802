import { Unpackr, Packr } from 'msgpackr';
import * as P from '/work/main/protocol/index.ts';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tryDec = (label: string, b: Uint8Array | number[]) => {
  try { console.log(label, JSON.stringify(P.decodeClientMessage(Uint8Array.from(b)))); }
  catch (e: any) { console.log(label, 'ERR', e.code, e.message); }
};
tryDec('trailing', [0x94, 2, 1, 0, 0, 0xc0]);
tryDec('trailing2', [0x94, 2, 1, 0, 0, 0x94, 2, 2, 0, 0]);
tryDec('trunc', [0x94, 2, 1, 0]);
tryDec('truncstr', [0x94, 1, 1, 0xa5, 0x41]);
tryDec('u64', [0x94, 2, 0xcf, 0,0,0,0,0,0,0,5, 0, 0]);
tryDec('f64seq', [...hexToArr('9402cb401400000000000000' + '0000')]);
tryDec('ping f32', [...hexToArr('9203ca3f800000')]);
tryDec('ping nan', [...hexToArr('9203cb7ff8000000000000')]);
tryDec('0xc1', [0x92, 3, 0xc1]);
function hexToArr(h: string) { return Buffer.from(h, 'hex'); }
const rec = new Packr({ useRecords: true }).pack([2, { a: 1 }, 0, 0]);
console.log('rec', hex(rec)); tryDec('rec', rec);
const rec2 = new Packr({ useRecords: true }).pack({ a: 1, b: 2 });
console.log('rec2', hex(rec2)); tryDec('rec2', rec2);
// buffer reuse
const block = P.encodeEntityBlock([{ id: 1, x: 100, y: 200, vx: -5, vy: 3, aim: 7 }]);
const before = hex(block);
for (let i = 0; i < 10000; i++) P.encodeServerMessage({ kind: 12, clientTime: i, serverTime: i * 2 });
console.log('block stable', before === hex(block));
console.log(hex(P.encodeServerMessage({ kind: 11, tick: 1, serverTime: 33.333333333333336, ackSeq: 0, entities: [] })));
console.log(hex(P.encodeServerMessage({ kind: 10, playerId: 1, tickRate: 30, snapshotRate: 30, serverTick: 5e9, serverTime: 1e12, mapId: 'arena', roomCode: 'ABCD' })));
// sim speeds
import { readFileSync } from 'node:fs';
const map = P.parseTiledMap('arena', JSON.parse(readFileSync('/work/main/assets/maps/arena.json', 'utf8')));
let s = { x: map.spawns[1]!.x, y: map.spawns[1]!.y, vx: 0, vy: 0 };
let maxd = 0;
for (let i = 0; i < 60; i++) { s = P.stepPlayer(s, P.Button.Down | P.Button.Right, 1 / 30, map); maxd = Math.max(maxd, Math.hypot(s.vx, s.vy)); }
console.log('diag', s, maxd);
let t = { x: map.spawns[1]!.x, y: map.spawns[1]!.y, vx: 0, vy: 0 };
for (let i = 0; i < 60; i++) t = P.stepPlayer(t, P.Button.Down , 1 / 30, map);
console.log('straight', t);
console.log(P.sanitizeName('ad\u200bmin'), '|', P.sanitizeName('a\u202Eb'), '|', P.sanitizeName('👨‍👩‍👧'), '|', P.sanitizeName('  a \t\n b  '));
console.log(P.quantizeAngle(-1e-20), P.quantizeAngle(2*Math.PI), P.quantizeAngle(-Math.PI/2), P.quantizeAngle(2*Math.PI - 0.001));
