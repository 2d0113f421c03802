import { describe, expect, it } from 'vitest';
import { DEFAULTS, endpoints, parseBotArgs, type BotsConfig } from '../../../game-client/bots/args.ts';

function ok(argv: string[]): BotsConfig {
  const r = parseBotArgs(argv);
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r.config;
}
function error(argv: string[]): string {
  const r = parseBotArgs(argv);
  if (r.kind !== 'error') throw new Error(`expected an error for ${argv.join(' ')}, got ${r.kind}`);
  return r.message;
}

describe('bots command line', () => {
  it('has a default for everything', () => {
    const c = ok([]);
    expect(c.wsUrl).toBe('ws://127.0.0.1:8080/ws');
    expect(c.statsUrl).toBe('http://127.0.0.1:8080/api/stats');
    expect(c.bots).toBe(DEFAULTS.bots);
    expect(c.behaviour).toBe('roam');
    expect([c.latencyMs, c.jitterMs, c.rooms, c.room, c.jsonPath]).toEqual([0, 0, 0, '', null]);
    expect(c.workers).toBeGreaterThanOrEqual(1);
  });

  it('reads every option', () => {
    const c = ok(
      ('--url ws://10.0.0.5:9000 --bots 300 --ramp 50/s --duration 20 --rooms 10 --behaviour fight ' +
        '--latency 80 --jitter 20 --workers 3 --json out.json --seed 77 --name load').split(' '),
    );
    expect(c).toMatchObject({
      wsUrl: 'ws://10.0.0.5:9000/ws',
      statsUrl: 'http://10.0.0.5:9000/api/stats',
      bots: 300,
      rampPerSec: 50,
      durationS: 20,
      rooms: 10,
      behaviour: 'fight',
      latencyMs: 80,
      jitterMs: 20,
      workers: 3,
      jsonPath: 'out.json',
      seed: 77,
      namePrefix: 'load',
    });
    expect(ok(['--room', 'qk7mz']).room).toBe('QK7MZ');
    expect(ok(['--ramp', '25']).rampPerSec).toBe(25);
    expect(ok(['--behavior', 'idle']).behaviour).toBe('idle');
  });

  it('--help is recognised', () => {
    expect(parseBotArgs(['--help']).kind).toBe('help');
    expect(parseBotArgs(['-h']).kind).toBe('help');
  });

  it('maps the URL forms onto /ws and /api/stats', () => {
    expect(endpoints('wss://game.example:443/')).toEqual({ wsUrl: 'wss://game.example/ws', statsUrl: 'https://game.example/api/stats' });
    expect(endpoints('http://h:81')).toEqual({ wsUrl: 'ws://h:81/ws', statsUrl: 'http://h:81/api/stats' });
    expect(endpoints('h:82/custom')).toEqual({ wsUrl: 'ws://h:82/custom', statsUrl: 'http://h:82/api/stats' });
  });

  it.each([
    [['--bots', '0'], /--bots must be a whole number from 1/],
    [['--bots', 'many'], /--bots .*"many"/],
    [['--bots', '2.5'], /--bots/],
    [['--ramp', 'fast'], /--ramp must be bots per second/],
    [['--ramp', '0/s'], /--ramp/],
    [['--duration=-1'], /--duration must be a number of seconds/],
    [['--duration', '-1'], /--duration/],
    [['--duration', '10s'], /--duration/],
    [['--bots', '1000', '--ramp', '10', '--duration', '60'], /take 99\.9 s to start.*raise --ramp or --duration/],
    [['--room', 'ab'], /--room "ab" is not a room code/],
    [['--room', 'ABCD', '--rooms', '2'], /cannot be combined/],
    [['--rooms', '0'], /--rooms must be a whole number from 1/],
    [['--bots', '5', '--rooms', '6'], /--rooms must be a whole number from 1 to 5/],
    [['--behaviour', 'dance'], /--behaviour must be one of roam, idle, fight, got "dance"/],
    [['--latency', 'slow'], /--latency must be a number of ms/],
    [['--jitter', '-5'], /--jitter/],
    [['--workers', '0'], /--workers must be a whole number from 1/],
    [['--seed', 'x'], /--seed/],
    [['--url', 'ftp://h'], /must start with ws:\/\/, wss:\/\/, http:\/\/ or https:\/\//],
    [['--url', 'ws://'], /--url/],
    [['--json', ''], /--json needs a file name/],
    [['--name', 'a-very-long-prefix'], /--name must be at most 12/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
    [['--bots'], /--bots/],
  ])('%j is refused with a clear message', (argv, message) => {
    expect(error(argv)).toMatch(message);
  });
});
