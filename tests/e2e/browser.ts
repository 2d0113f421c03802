/**
 * Finds a Chromium for the end-to-end tests: $CHROME_PATH, then Debian's
 * /usr/bin/chromium, then the one shipped in the @sparticuz/chromium devDependency, so
 * `npm test` works on a machine with no browser installed. Never downloads anything.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export async function findChromium(): Promise<{ path: string; source: string }> {
  const env = process.env.CHROME_PATH;
  if (env) {
    if (!existsSync(env)) throw new Error(`CHROME_PATH is set to ${env}, which does not exist`);
    return { path: env, source: 'CHROME_PATH' };
  }
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: 'Debian chromium' };
  const sparticuz = (await import('@sparticuz/chromium')).default;
  return { path: await sparticuz.executablePath(), source: '@sparticuz/chromium' };
}

export async function launchChromium(): Promise<Browser> {
  const { path } = await findChromium();
  return chromium.launch({ executablePath: path, headless: true, args: FLAGS });
}
