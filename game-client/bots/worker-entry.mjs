// Worker threads do not inherit the TypeScript loader a program registered with tsx's
// API (the dustup-bots bin does that), so each worker registers it before loading
// worker.ts. Under `node --import tsx` the worker already has it; registering again is
// harmless.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
