/**
 * The nginx examples of docs/deploy.md, read from the document so the tested config is
 * the documented one (each ```nginx block opens with a comment naming its file), and
 * nginx run with one of them in front of real servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { waitFor } from './harness.ts';
import { requireProgram } from './tls-fixtures.ts';

const root = join(import.meta.dirname, '..', '..');

/** The one ```nginx block of docs/deploy.md whose first line is `# /etc/nginx/conf.d/<file>`. */
export function documentedNginxConfig(file: string): string {
  const doc = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const named = blocks.filter((b) => b.startsWith(`# /etc/nginx/conf.d/${file} `));
  if (named.length !== 1) throw new Error(`docs/deploy.md should hold exactly one nginx block for ${file}, found ${named.length}`);
  return named[0]!;
}

/** Replace `from` (which must occur) with `to`: a doc edit that drops it fails here, loudly. */
export function substitute(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the nginx example in docs/deploy.md no longer contains "${from}"`);
  return text.split(from).join(to);
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET with node's http(s) module (a `ca` for the test certificate, a local address). */
export function fetchVia(get: typeof httpsGet, url: string, opts: Parameters<typeof httpsGet>[1]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

export const NGINX_INSTALL = 'sudo apt-get install -y nginx-light (macOS: brew install nginx)';

export interface RunningNginx {
  stop(): Promise<void>;
}

/**
 * Run nginx with `site` (a documented block, ports and files already substituted) inside
 * a whole nginx.conf in `dir`; resolves once `probeUrl` answers 200 through it.
 */
export async function startNginx(dir: string, site: string, probeUrl: string, ca: string): Promise<RunningNginx> {
  const bin = requireProgram('nginx', ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/opt/homebrew/bin/nginx'], NGINX_INSTALL);
  writeFileSync(join(dir, 'dustup.conf'), site);
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t));
  // Everything inside the temp dir; one process (no master, no user switch), so it runs
  // the same as root or not.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/dustup.conf;
}
`,
  );
  const nginx: ChildProcess = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  nginx.stdout!.on('data', (d) => (out += d));
  nginx.stderr!.on('data', (d) => (out += d));
  let exited = false;
  nginx.on('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return;
    const gone = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGTERM');
    await gone;
  };
  let up = false;
  const probe = (): void =>
    void fetchVia(httpsGet, probeUrl, { ca }).then(
      (r) => (up = r.status === 200),
      () => {},
    );
  try {
    await waitFor(() => {
      if (exited) throw new Error(`nginx exited: ${out}${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      if (!up) probe();
      return up;
    }, 'nginx to answer through the proxy', 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
