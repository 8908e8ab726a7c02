#!/usr/bin/env node
/**
 * Copies what tsc does not emit but the built code reads beside itself: every file under an app's
 * or library's src/ that is not TypeScript (the channels' default `.tmpl` files, page assets), to
 * the same place under dist/.
 */
'use strict';
const { copyFileSync, mkdirSync, readdirSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, process.argv[2] ?? 'dist');

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!entry.name.endsWith('.ts')) {
      const target = join(OUT, relative(ROOT, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
    }
  }
}

for (const top of ['apps', 'libs']) {
  for (const project of readdirSync(join(ROOT, top), { withFileTypes: true })) {
    if (project.isDirectory()) copyAssets(join(ROOT, top, project.name, 'src'));
  }
}
