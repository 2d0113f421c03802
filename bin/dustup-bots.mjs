#!/usr/bin/env node
// Installed command: same as `npm run bots`. Registers tsx (the CLI is TypeScript),
// then runs it; `dustup-bots --help` lists the options.
import { register } from 'tsx/esm/api';

register();
await import('../game-client/bots/cli.ts');
