/** A `.dat` file imported in a bundle: esbuild's file loader gives its path relative to the bundle. */
declare module '*.dat' {
  const path: string;
  export default path;
}
