#!/usr/bin/env node
// The `lindung` executable: TypeScript runs as is (no build step), so register tsx, then hand over to main.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
process.exitCode = await run(process.argv.slice(2), process);
