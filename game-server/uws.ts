/**
 * Loads uWebSockets.js and insists on the native binding. The registry build we depend
 * on silently swaps in a slow pure-JS emulation when its binary fails to load; running
 * on that unnoticed would make every performance figure a lie.
 */
import { createRequire } from 'node:module';
import type * as UWS from 'uWebSockets.js';

export type Uws = typeof UWS;

const require = createRequire(import.meta.url);

export class UwsFallbackError extends Error {}

export function isNativeUws(uws: Uws): boolean {
  return typeof uws.App === 'function' && Function.prototype.toString.call(uws.App).includes('[native code]');
}

export function loadUws(allowFallback: boolean): { uws: Uws; native: boolean } {
  // The package prints its own warning on fallback; keep it, ours follows.
  const uws = require('uWebSockets.js') as Uws;
  const native = isNativeUws(uws);
  if (!native && !allowFallback) {
    throw new UwsFallbackError(
      `uWebSockets.js native binding did not load for ${process.platform}-${process.arch} ` +
        `(Node ABI ${process.versions.modules}); only its slow JavaScript fallback is available. ` +
        'Use a supported Node version (20 on Linux x64/arm64, glibc >= 2.27), ' +
        'or set DUSTUP_ALLOW_UWS_FALLBACK=1 to run on the fallback anyway (not for production).',
    );
  }
  return { uws, native };
}
