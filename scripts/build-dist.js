#!/usr/bin/env node
/**
 * dist/ from src/: each .ts file transpiled on its own by swc (scripts/swc-options.js, the settings
 * jest runs the sources with), with a source map beside it. Types are not checked here: `npm run
 * typecheck` (tsc over src, tests and benches; the checks tier of `npm test`) does that. tsc took
 * about 10 s of one core to emit the same files, which the quick start and every fresh test run
 * paid before the service could start; this takes under a second.
 *
 * dist/ is emptied first, so a source deleted since leaves nothing behind.
 *
 * Usage: node scripts/build-dist.js   (`npm run build`; scripts/ensure-dist.js when src/ changed)
 */
const { transformFileSync } = require('@swc/core');
const { mkdirSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { basename, dirname, join, relative } = require('node:path');
const swcOptions = require('./swc-options');

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/** Every file under `dir`, recursively (also what scripts/ensure-dist.js hashes). */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Transpiles every source into dist/; returns how many files it wrote. */
function buildDist() {
  rmSync(DIST, { recursive: true, force: true });
  const sources = filesUnder(SRC).filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));
  for (const source of sources) {
    const out = join(DIST, relative(SRC, source)).replace(/\.ts$/, '.js');
    const map = `${basename(out)}.map`;
    const { code, map: sourceMap } = transformFileSync(source, {
      ...swcOptions,
      swcrc: false,
      configFile: false,
      sourceMaps: true,
      // The map names its source as seen from the output file, as tsc's do.
      sourceFileName: relative(dirname(out), source),
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${code}\n//# sourceMappingURL=${map}\n`);
    writeFileSync(`${out}.map`, sourceMap);
  }
  return sources.length;
}

module.exports = { buildDist, filesUnder };

if (require.main === module) {
  const started = Date.now();
  const files = buildDist();
  console.log(`build-dist: ${files} files from src/ to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
