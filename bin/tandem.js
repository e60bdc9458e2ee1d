#!/usr/bin/env node
// The `tandem` binary. An installed package runs the JavaScript built into dist/ at pack time
// (`npm pack` runs `npm run build`); a clone, where src/ is present, runs the TypeScript sources
// through tsx (a development dependency), so `npm ci` is all a contributor needs.
import { existsSync } from 'node:fs';
import { favorMemory } from './memory.js';

favorMemory();
const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
