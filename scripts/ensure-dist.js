#!/usr/bin/env node
/**
 * Makes dist/ (what `npm run build` emits and `npm start` runs) match src/, building only when the
 * sources changed since the last build made here. Test tiers, the fuzzers and the Go client's tests
 * start the service from dist/ rather than from src/ through tsx: a start then costs about 5 CPU-s
 * instead of 8 (tsx's loader hooks run for every module, in each embedding thread too, and in the
 * child node-llama-cpp forks to test its binary), and a run starts the service about fifty times.
 *
 * "Changed" is a SHA-256 over the paths and contents of src/ and of the two build scripts, kept
 * in dist/.source-hash after a successful build; a build by hand (`npm run build`) writes no hash,
 * so the next run builds once more. The build is scripts/build-dist.js (swc, under a second).
 *
 * Usage: node scripts/ensure-dist.js   (also jest's globalSetup of the tiers that start processes)
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { buildDist, filesUnder } = require('./build-dist');

const ROOT = join(__dirname, '..');
const HASH_FILE = join(ROOT, 'dist', '.source-hash');

function sourceHash() {
  const hash = createHash('sha256');
  const files = [...filesUnder(join(ROOT, 'src')), join(__dirname, 'build-dist.js'), join(__dirname, 'swc-options.js')].sort();
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Builds dist/ when it is missing or older than the sources; true when it built. */
function ensureDist() {
  const want = sourceHash();
  const built = existsSync(HASH_FILE) && existsSync(join(ROOT, 'dist', 'main.js')) && readFileSync(HASH_FILE, 'utf8') === want;
  if (built) return false;
  buildDist();
  writeFileSync(HASH_FILE, want);
  return true;
}

module.exports = ensureDist;

if (require.main === module) {
  const started = Date.now();
  if (ensureDist()) console.log(`ensure-dist: built dist/ from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
