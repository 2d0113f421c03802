/**
 * dustup-bots: `npm run bots -- --help`. The only bots file that reads argv, writes
 * files and sets the exit code: 0 ok, 1 the run failed (server unreachable or the run
 * failed its sanity checks), 2 bad options.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HELP, parseBotArgs } from './args.ts';
import { formatReport } from './report.ts';
import { RunError, runLoadTest } from './run.ts';

async function main(argv: string[]): Promise<number> {
  const parsed = parseBotArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`dustup-bots: ${parsed.message}\nRun with --help for the options.\n`);
    return 2;
  }
  const cfg = parsed.config;
  if (cfg.jsonPath) {
    // Checked now, not after a long run.
    const dir = dirname(resolve(cfg.jsonPath));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      process.stderr.write(`dustup-bots: --json ${cfg.jsonPath}: directory ${dir} does not exist\n`);
      return 2;
    }
  }

  let interrupts = 0;
  const interrupted = new Promise<void>((resolveStop) => {
    const onSignal = (): void => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      process.stderr.write('\nstopping: leaving the game and writing the report (Ctrl-C again to quit at once)\n');
      resolveStop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  let report;
  try {
    report = await runLoadTest(cfg, { err: process.stderr, interrupted });
  } catch (err) {
    if (err instanceof RunError) {
      process.stderr.write(`dustup-bots: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  process.stdout.write(`${formatReport(report)}\n`);
  if (cfg.jsonPath) {
    writeFileSync(cfg.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`report written to ${cfg.jsonPath}\n`);
  }
  return report.sanity.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`dustup-bots: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
