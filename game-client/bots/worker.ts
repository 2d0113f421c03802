/**
 * Worker thread entry: runs one Swarm and talks to the CLI over the parent port.
 * Messages: in, {type:'rooms'} and {type:'stop'}; out, the swarm's reports and, after
 * the stop, {type:'done'} once queued close frames have had time to leave.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Swarm, type RoomsUpdate, type SwarmConfig } from './swarm.ts';

if (!parentPort) throw new Error('game-client/bots/worker.ts runs as a worker thread (started by cli.ts)');
const port = parentPort;
const swarm = new Swarm(workerData as SwarmConfig, (msg) => port.postMessage(msg));

port.on('message', (msg: RoomsUpdate | { type: 'stop' }) => {
  if (msg.type === 'rooms') swarm.updateRooms(msg);
  else if (msg.type === 'stop') {
    swarm.stop();
    setTimeout(() => port.postMessage({ type: 'done' }), swarm.drainMs);
  }
});

swarm.start();
