#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts through tsx (no build step), passing the arguments on.
import { register } from 'tsx/esm/api';
import { favorMemory } from './memory.js';

// The measured process runs like `tandem`; the parent only starts and collects scenarios.
if (process.argv.includes('--child')) favorMemory();
register();
const { main } = await import('../bench/run.ts');
process.exitCode = await main(process.argv.slice(2));
