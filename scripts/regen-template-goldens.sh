#!/usr/bin/env bash
# Regenerates the golden fixtures of libs/templates with `amtool template render`
# (Debian's prometheus-alertmanager, 0.25). Each case in cases.json is rendered with its
# --template.glob, --template.text and --template.data; the output goes to expected/NAME.out,
# or, when amtool fails, its error message (without "amtool: error: ") to expected/NAME.err.
# A case may set "tz" (the TZ amtool runs with; default UTC).
#
# usage: scripts/regen-template-goldens.sh [AMTOOL]
set -euo pipefail
AMTOOL="${1:-${AMTOOL:-amtool}}"
GOLDEN="$(cd "$(dirname "$0")/../libs/templates/test/golden" && pwd)"
command -v "$AMTOOL" >/dev/null || { echo "amtool not found (apt-get install prometheus-alertmanager)" >&2; exit 1; }
"$AMTOOL" --version 2>&1 | head -1
rm -f "$GOLDEN"/expected/*.out "$GOLDEN"/expected/*.err
cd "$GOLDEN"
AMTOOL="$AMTOOL" node - <<'NODE'
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const cases = JSON.parse(fs.readFileSync('cases.json', 'utf8'));
let ok = 0, failed = 0;
for (const c of cases) {
  const args = ['template', 'render', `--template.glob=${c.glob}`, `--template.text=${c.text}`];
  if (c.data) args.push(`--template.data=data/${c.data}`);
  const r = spawnSync(process.env.AMTOOL, args, { env: { ...process.env, TZ: c.tz ?? 'UTC' }, encoding: 'buffer' });
  if (r.status === 0) {
    fs.writeFileSync(`expected/${c.name}.out`, r.stdout);
    ok++;
  } else {
    const msg = r.stderr.toString('utf8').replace(/^amtool: error: /, '').replace(/\s+$/, '');
    fs.writeFileSync(`expected/${c.name}.err`, msg + '\n');
    failed++;
  }
}
console.log(`${cases.length} cases: ${ok} rendered, ${failed} errors`);
NODE
