#!/usr/bin/env node
// Installed command: same as `npm start`.
import '../scripts/start.mjs';
