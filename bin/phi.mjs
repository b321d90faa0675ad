#!/usr/bin/env node
// `phi` command line: runs the TypeScript engine CLI through tsx, so that
// `npm install` is all the set-up a fresh checkout needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
