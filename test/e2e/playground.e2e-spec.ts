/**
 * The template playground at /ui, in a real browser (Debian's chromium driven by playwright-core)
 * against the built ingest and DingTalk worker processes and a fake DingTalk: what a person sees
 * when editing a template, breaking it, overflowing the platform's limit, and sending a test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { FakeDingtalk } from '../fakes/dingtalk.fake';
import { AppProcess, dumpRedis, eventually, startBuiltAppProcess, uniquePrefix } from '@relay/testing';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// CI installs chromium (.ci/run); elsewhere a machine without it skips, saying why.
const run = hasChromium || process.env.CI === 'true' ? describe : describe.skip;
if (!hasChromium) console.log(`playground.e2e-spec: ${CHROMIUM} is missing (apt-get install chromium)${process.env.CI === 'true' ? '' : '; skipped outside CI'}`);

const TOKEN = 'playgroundrobottoken0123';
const SIGNING_SECRET = 'SECplayground-signing-secret-0123456789';
const DASHBOARD_PASSWORD = 'dash-pl4yground';
const INGEST_TOKEN = 'ingest-pl4yground';
const SECRETS = [TOKEN, 'playgroundsecondrobot', SIGNING_SECRET, DASHBOARD_PASSWORD, INGEST_TOKEN];
const TARGET = 'ops/dingtalk/0';

run('template playground (/ui) in a browser', () => {
  let fake: FakeDingtalk;
  let ingest: AppProcess;
  let worker: AppProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let prefix: string;
  let config: string;
  const shots = mkdtempSync(join(tmpdir(), 'alert-relay-playground-'));
  /** Every /ui answer the page was given, to hold them to "no secret". */
  const answers: string[] = [];

  const shot = async (name: string) => {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
  const templateBox = (key: string) => page.locator(`textarea[data-key="${key}"]`);

  beforeAll(async () => {
    console.log(`playground screenshots: ${shots}`);
    fake = await FakeDingtalk.start();
    const url = fake.robot(TOKEN, { secret: SIGNING_SECRET });
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-playground-config-'));
    config = join(dir, 'relay.yml');
    writeFileSync(
      config,
      `
ingest:
  auth: { bearer_token: \${INGEST_TOKEN} }
dashboard:
  basic_auth: { username: admin, password: \${DASHBOARD_PASSWORD} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: ${url}
        secret: \${DT_SECRET}
`,
    );
    prefix = uniquePrefix();
    const env = { RELAY_CONFIG: config, QUEUE_PREFIX: prefix, DT_SECRET: SIGNING_SECRET, DASHBOARD_PASSWORD, INGEST_TOKEN };
    [ingest, worker] = await Promise.all([startBuiltAppProcess('ingest', env), startBuiltAppProcess('dingtalk-worker', env)]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ httpCredentials: { username: 'admin', password: DASHBOARD_PASSWORD }, viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname.startsWith('/ui')) answers.push(await response.text().catch(() => ''));
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([ingest?.stop(), worker?.stop()]);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for dashboard.basic_auth, as Bull Board does', async () => {
    for (const path of ['/ui', '/ui/assets/playground.js', `/ui/api/targets`, `/ui/api/deliveries?target=${encodeURIComponent(TARGET)}`]) {
      const bare = await fetch(`${ingest.url}${path}`);
      expect([path, bare.status]).toEqual([path, 401]);
      expect(bare.headers.get('www-authenticate')).toMatch(/^Basic /);
      const wrong = await fetch(`${ingest.url}${path}`, { headers: { Authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } });
      expect([path, wrong.status]).toEqual([path, 401]);
    }
    const send = await fetch(`${ingest.url}/ui/api/test-send`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ target: TARGET, notification: '{}' }) });
    expect(send.status).toBe(401);
    // A browser without the password is asked for it; headless Chromium, which cannot ask, gives up.
    const anonymous = await browser.newContext();
    await expect((await anonymous.newPage()).goto(`${ingest.url}/ui`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.close();
  });

  it('shows the target\'s message as DingTalk would, and updates it as the template changes', async () => {
    await page.goto(`${ingest.url}/ui`);
    await see(page.locator('#target')).toHaveValue(TARGET);
    // The default template's heading, rendered from markdown to HTML.
    await page.locator('#preview h3, #preview h2, #preview h1').first().waitFor();
    expect(await page.locator('#preview').innerText()).toContain('DiskFull');
    await see(page.locator('#destination')).toContainText(`url: ${fake.baseUrl}/***`);
    await see(page.locator('#destination')).toContainText('rate scope: dingtalk-robot:');
    await templateBox('text').fill('## Hello {{ .CommonLabels.alertname }} from the playground\n\n- **{{ len .Alerts }}** alert');
    await page.locator('#preview h2', { hasText: 'Hello DiskFull from the playground' }).waitFor();
    expect(await page.locator('#preview strong').first().innerText()).toBe('1');
    expect(JSON.parse(await page.locator('#body').innerText()).markdown.text).toBe('## Hello DiskFull from the playground\n\n- **1** alert');
    await shot('1-edited-preview');
  });

  it('shows a broken template\'s error at its line', async () => {
    await templateBox('text').fill('first line\n{{ if .Alerts }}fine{{ end }}\n{{ .CommonLabels.alertname ');
    const error = page.locator('#template-errors li').first();
    await error.waitFor();
    expect(await error.innerText()).toMatch(/^text, line 3(, column \d+)?: template: :3: /);
    expect(await error.locator('code').textContent()).toBe('{{ .CommonLabels.alertname ');
    expect(await page.locator('[data-error-for="text"]').innerText()).toContain('line 3');
    expect(await templateBox('text').getAttribute('class')).toContain('broken');
    await shot('2-broken-template');
  });

  it('turns the size bar red past DingTalk\'s 20,000 bytes and lists the alerts truncation drops', async () => {
    await page.locator('.field button', { hasText: 'reset' }).nth(1).click(); // text, back to the configured default
    await page.locator('#template-errors li').first().waitFor({ state: 'detached' });
    await page.locator('#example').selectOption('firing');
    await see(page.locator('#size-text')).toContainText('of 19,999 bytes');
    expect(await page.locator('#size-bar').getAttribute('class')).not.toContain('over');
    expect(await fillColour()).toBe('rgb(45, 164, 78)');

    await page.locator('#example').selectOption('many');
    await see(page.locator('#size-text')).toContainText('Over the limit');
    expect(await page.locator('#size-bar').getAttribute('class')).toContain('over');
    expect(await fillColour()).toBe('rgb(207, 34, 46)');
    const summary = await page.locator('#dropped-summary').innerText();
    const dropped = Number(/\((\d[\d,]*) alerts\)/.exec(summary)![1].replace(/,/g, ''));
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(300);
    // What is dropped is what the message says it left out.
    const body = JSON.parse(await page.locator('#body').innerText());
    expect(Buffer.byteLength(JSON.stringify(body), 'utf8')).toBeLessThan(20_000);
    expect(body.markdown.text).toMatch(new RegExp(`… and (\\d+ more firing, )?\\d+ more (firing|resolved) alerts`));
    const counts = [...body.markdown.text.matchAll(/(\d+) more/g)].map((m: RegExpMatchArray) => Number(m[1]));
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(dropped);
    await shot('3-over-the-limit');

    async function fillColour() {
      return page.locator('#size-fill').evaluate((e) => (globalThis as any).getComputedStyle(e).backgroundColor as string);
    }
  });

  it('sends a test through the queue and the worker to DingTalk, and lists it in the recent deliveries', async () => {
    await page.locator('#example').selectOption('firing');
    await templateBox('text').fill('### Playground test {{ .CommonLabels.alertname }} 测试');
    await page.locator('#preview h3', { hasText: 'Playground test DiskFull 测试' }).waitFor();
    const shown = JSON.parse(await page.locator('#body').innerText());
    await page.locator('#send').click();
    await see(page.locator('#send-status')).toContainText('queued as job playground-');
    const jobId = /job (playground-\S+)/.exec(await page.locator('#send-status').innerText())![1];

    const received = await eventually(() => fake.messagesTo(TOKEN).find((m) => m.markdown?.text?.includes('Playground test')), 20_000);
    // The worker built exactly the body the page showed: one render path.
    expect(received).toEqual(shown);
    expect(fake.requestsTo(TOKEN).pop()!.url).toMatch(/&timestamp=\d{13}&sign=/);

    const row = page.locator(`#deliveries tr[data-job="${jobId}"]`);
    await row.locator('td.outcome-delivered').waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toContain('test');
    const link = await row.locator('a', { hasText: 'Bull Board' }).getAttribute('href');
    expect(link).toBe(`/queues/queue/notify-dingtalk/${jobId}`);
    const board = await page.request.get(`${ingest.url}/queues/api/queues/notify-dingtalk/${jobId}`);
    expect(board.ok()).toBe(true);
    expect(((await board.json()) as any).job.id).toBe(jobId);
    await shot('4-test-sent');
  });

  it('uses a recent job\'s notification', async () => {
    await page.locator('#recent-job').selectOption({ index: 1 });
    await see(page.locator('#notification')).toHaveValue(/"groupKey"/);
    await see(page.locator('#example')).toHaveValue('');
  });

  it('names the field of a pasted notification that ingest would refuse', async () => {
    const pasted = JSON.parse(await page.locator('#notification').inputValue());
    pasted.alerts[0].startsAt = 'yesterday';
    delete pasted.status;
    await page.locator('#notification').fill(JSON.stringify(pasted));
    const errors = page.locator('#notification-errors li');
    await errors.first().waitFor();
    const all = await errors.allInnerTexts();
    expect(all).toEqual(expect.arrayContaining([expect.stringMatching(/^alerts\[0\]\.startsAt /), expect.stringMatching(/^status /)]));
    await shot('5-invalid-notification');
  });

  it('follows a config reload: a target added to the file appears in the page', async () => {
    const added = fake.robot('playgroundsecondrobot');
    writeFileSync(config, `${readFileSync(config, 'utf8')}  - name: dev\n    dingtalk_configs:\n      - url: ${added}\n`);
    const reload = await fetch(`${ingest.url}/-/reload`, { method: 'POST', headers: { Authorization: `Bearer ${INGEST_TOKEN}` } });
    expect(reload.status).toBe(200);
    await eventually(async () => (await page.locator('#target option[value="dev/dingtalk/0"]').count()) === 1, 15_000);
    await page.locator('#target').selectOption('dev/dingtalk/0');
    await see(page.locator('#destination')).toContainText(`url: ${fake.baseUrl}/***`);
    await page.locator('#preview h3, #preview h2, #preview h1').first().waitFor();
  });

  it('never hands the browser a secret, and keeps none in the jobs it queued', async () => {
    expect(answers.length).toBeGreaterThan(5);
    for (const answer of answers) for (const secret of SECRETS) expect(answer).not.toContain(secret);
    const redis = await dumpRedis(process.env.REDIS_URL!, prefix);
    expect(redis).toContain('Playground test');
    for (const secret of SECRETS) expect(redis).not.toContain(secret);
  });
});

/** A locator's state as a person waits for it: until it holds, or 10 s have passed. */
function see(locator: Locator) {
  const poll = async (check: () => Promise<boolean>, what: () => Promise<string>) => {
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(await what());
  };
  return {
    toHaveValue: (expected: string | RegExp) =>
      poll(
        async () => {
          const v = await locator.inputValue();
          return typeof expected === 'string' ? v === expected : expected.test(v);
        },
        async () => `expected ${String(locator)} to have value ${String(expected)}; it has ${JSON.stringify(await locator.inputValue().catch(() => '?'))}`,
      ),
    toContainText: (expected: string) =>
      poll(
        async () => (await locator.innerText()).includes(expected),
        async () => `expected ${String(locator)} to show "${expected}"; it shows ${JSON.stringify(await locator.innerText().catch(() => '?'))}`,
      ),
  };
}
