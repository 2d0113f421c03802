import * as P from '../protocol/index.ts';
const acc: string[] = [];
const payloads: number[][] = [[0xd4, 0, 0x41], [0xd5, 0, 0x41, 0x42], [0xd6, 0, 0, 0, 0, 5], [0xd7, 0, 0, 0, 0, 0, 0, 0, 0, 5], [0xd8, 0, ...Array(16).fill(0x41)], [0xc7, 3, 0, 0xa1, 0x41, 0x41], [0xc7, 0, 0], [0xc7, 1, 0, 0]];
for (let t = 0; t < 256; t++) for (const pl of payloads) {
  const ext = pl.slice(); ext[pl[0] === 0xc7 ? 2 : 1] = t;
  for (const frame of [[0x94, 1, 1, ...ext, 0xa0], [0x94, 2, ...ext, 0, 0], [0x92, 3, ...ext], [0x94, 1, 1, 0xa0, ...ext]]) {
    try { const m = P.decodeClientMessage(Uint8Array.from(frame)); acc.push(Buffer.from(frame).toString('hex') + ' => ' + JSON.stringify(m)); }
    catch (e: any) { if (!(e instanceof P.ProtocolError)) acc.push('NONPROTO ' + Buffer.from(frame).toString('hex') + ' ' + e); }
  }
}
console.log(acc.length, acc.slice(0, 20));
