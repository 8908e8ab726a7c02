#!/usr/bin/env node
/**
 * Runs `npm run build` only when a source is newer than the last build this script made, so
 * `npm start` and `npm run cli` start from dist/ at once when nothing changed. Comparing mtimes
 * takes tens of milliseconds; even `tsc --build` with nothing to do takes seconds (it loads the
 * compiler and every file's build info).
 *
 *   node scripts/build-if-stale.js           build when stale
 *   node scripts/build-if-stale.js --check   exit 1 when stale, 0 when fresh, build nothing
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { closeSync, mkdirSync, openSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'dist', '.build-stamp');
const SOURCE_DIRS = ['apps', 'libs'];
// What tsc's output depends on besides the sources; the lock file because a new @types or
// TypeScript can change what compiles.
const ROOT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
// Specs are not built (tsconfig.build.json excludes them): editing one needs no rebuild.
const NOT_BUILT = /\.(spec|e2e-spec)\.ts$/;

/** Newest mtime (ms) under dir. Directories count too: adding, removing or renaming a file changes its folder's mtime, not any file's. */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestUnder(path));
    else if (!NOT_BUILT.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function newestSource() {
  let newest = 0;
  for (const d of SOURCE_DIRS) newest = Math.max(newest, newestUnder(join(ROOT, d)));
  for (const f of ROOT_FILES) {
    try {
      newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
    } catch {
      // package-lock.json may be absent (npm install --no-package-lock).
    }
  }
  return newest;
}

function stampTime() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function isStale() {
  return newestSource() > stampTime();
}

function main(argv) {
  if (argv.includes('--check')) return isStale() ? 1 : 0;
  if (!isStale()) return 0;
  // The stamp carries the time the build started, so a file saved during the build is newer
  // than it and the next run builds again.
  const started = new Date();
  const npm = process.env.npm_execpath;
  // Under npm, its own CLI (npm_execpath); run by hand, the npm on PATH.
  const build = npm ? spawnSync(process.execPath, [npm, 'run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' }) : spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.error) throw build.error;
  if (build.status !== 0) return build.status ?? 1;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  closeSync(openSync(STAMP, 'w'));
  utimesSync(STAMP, started, started);
  return 0;
}

module.exports = { isStale, newestSource };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
