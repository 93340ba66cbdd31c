// Bundles the CLI (and later the viewer and benchmarks) with esbuild; runs on `npm ci` via `prepare`.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const entries = [
  { in: 'src/cli/main.ts', out: 'raftsim' },
  { in: 'sim/testing.ts', out: 'testing' },
  { in: 'sim/sweep-worker.ts', out: 'sweep-worker' },
  { in: 'bench/sim.ts', out: 'bench' },
  { in: 'bench/check.ts', out: 'bench-check' },
  { in: 'bench/real.ts', out: 'bench-real' },
  { in: 'bench/bugs.ts', out: 'bench-bugs' },
  { in: 'bench/ab.ts', out: 'bench-ab' },
].filter((entry) => existsSync(entry.in));

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// The viewer runs in a browser and is inlined into each HTML page, d3 included.
// The playground page also carries the simulator itself, which runs in the browser.
const pages = [
  { in: 'viz/app/main.ts', out: 'dist/viewer.js' },
  { in: 'viz/playground/main.ts', out: 'dist/playground.js' },
].filter((page) => existsSync(page.in));
for (const page of pages) {
  await build({
    entryPoints: [page.in],
    outfile: page.out,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
  });
}
if (existsSync('dist/raftsim.js')) chmodSync('dist/raftsim.js', 0o755);
