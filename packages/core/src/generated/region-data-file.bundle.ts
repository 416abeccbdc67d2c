/**
 * Where `regions.dat` is in a function bundle: esbuild's file loader (`.dat`, infra/lib/lindung-function.ts)
 * writes it beside `index.mjs` as `regions-<hash>.dat` and makes this import its path relative to the bundle.
 */
import regionDataPath from './regions.dat';

export const regionDataFile: URL = new URL(regionDataPath, import.meta.url);
