#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader, so a fresh
// clone needs only `npm ci` (no build step that could go stale).
import { register } from 'tsx/esm/api';
import { favorMemory } from './memory.js';

favorMemory();
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
