/**
 * Where `generated/regions.dat` is when the sources run (tsx, vitest). A function bundle resolves
 * `#region-data-file` to region-data-file.bundle.ts instead (the `lindung-bundle` condition).
 */
export const regionDataFile: URL = new URL('./regions.dat', import.meta.url);
