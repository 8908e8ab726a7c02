import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { IngestModule } from '../../ingest/src/ingest.module';
import { InProcessRelay, startRelay } from '@relay/testing';
import { sendTestCommand } from './send-test.command';

const CONFIG = `
ingest: { auth: { basic_auth: { username: am, password: '\${INGEST_PASSWORD}' } } }
receivers:
  - name: ops.team
    dingtalk_configs: [{ url: 'https://oapi.dingtalk.com/robot/send?access_token=t' }]
`;

async function sendTest(args: string[], env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  err.on('data', (c) => (text += c));
  const code = await sendTestCommand(args, out, err, env);
  return { code, text };
}

describe('alert-relay send-test', () => {
  let relay: InProcessRelay;
  let configFile: string;
  const env = { INGEST_PASSWORD: 'pw-for-send-test' };

  beforeAll(async () => {
    relay = await startRelay({ yaml: CONFIG, env, features: [IngestModule] });
    configFile = join(mkdtempSync(join(tmpdir(), 'send-test-')), 'relay.yml');
    writeFileSync(configFile, CONFIG);
  });
  afterAll(() => relay.close());

  it("posts a firing notification with the config's ingest credentials and prints ingest's answer", async () => {
    const { code, text } = await sendTest(['ops.team', '--url', relay.url, '--config', configFile], env);
    expect(code).toBe(0);
    expect(text).toMatch(/^202 \{"receiver":"ops.team","jobs":\[\{"channel":"dingtalk","target":"ops.team\/dingtalk\/0"/);
  });

  it('exits 1 with ingest answer for an unknown receiver', async () => {
    const { code, text } = await sendTest(['nobody', '--url', relay.url, '--config', configFile], env);
    expect(code).toBe(1);
    expect(text).toContain('404');
  });

  it('says when ingest cannot be reached', async () => {
    const { code, text } = await sendTest(['ops.team', '--url', 'http://127.0.0.1:9', '--config', join(tmpdir(), 'none.yml')], {});
    expect(code).toBe(1);
    expect(text).toContain('cannot reach ingest at http://127.0.0.1:9');
  });
});
