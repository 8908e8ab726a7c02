import { relayTemplates } from '@relay/channels';
/**
 * Renders per second of `dingtalk.default.text` for a 5-alert payload (target: 50,000/s).
 * Prints the median of several timed runs, for the render alone and with templateData() included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookPayload } from '@relay/models';
import { templateData } from '@relay/templates';

const TARGET = 50_000;
// The fixture stays in the source tree; this file runs from dist/bench/ once built.
const REPO_ROOT = join(__dirname, __dirname.includes(`${join('dist', 'bench')}`) ? '../..' : '..');

function measure(fn: () => void, durationMs = 300): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const payload: WebhookPayload = JSON.parse(readFileSync(join(REPO_ROOT, 'libs/templates/test/golden/data/five-firing.json'), 'utf8'));
  const set = relayTemplates([], { timezone: 'Asia/Shanghai' });
  const text = '{{ template "dingtalk.default.text" . }}';
  const data = templateData(payload);
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += set.render(text, data).length; // warm up
  const runs = 7;
  const renderOnly: number[] = [];
  const withData: number[] = [];
  for (let r = 0; r < runs; r++) {
    renderOnly.push(measure(() => (sink += set.render(text, data).length)));
    withData.push(measure(() => (sink += set.render(text, templateData(payload)).length)));
  }
  const a = median(renderOnly);
  const b = median(withData);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`templates: dingtalk.default.text, 5 alerts (${set.render(text, data).length} chars)`);
  console.log(`  render:                ${fmt(a)} renders/s (median of ${runs}; ${(a / TARGET).toFixed(2)}x the ${fmt(TARGET)}/s target)`);
  console.log(`  templateData + render: ${fmt(b)} renders/s (${(b / TARGET).toFixed(2)}x)`);
  if (sink < 0) console.log(sink);
}
