import { AppProcess, startAppProcess, uniquePrefix } from '@relay/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const EXAMPLE_CONFIG = resolve(__dirname, '../../config/relay.example.yml');
const RECEIVERS = `
receivers:
  - name: ops
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=opsrobottoken
`;

/** The start-up warnings an ingest process wrote, as `setting: message`. */
const warningsIn = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.level === 40 && entry.setting)
    .map((entry) => `${entry.setting}: ${entry.msg}`);

/**
 * Issue 13, part 5: a relay started with the example config's placeholder secrets, or with no
 * guard at all, says so in its log at start-up, naming each setting.
 */
describe('ingest start-up warns about guessable or missing credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-warnings-'));
  const started: AppProcess[] = [];
  const start = async (config: string, env: NodeJS.ProcessEnv = {}) => {
    const app = await startAppProcess('ingest', { RELAY_CONFIG: config, LOG_LEVEL: 'warn', QUEUE_PREFIX: uniquePrefix(), ...env });
    started.push(app);
    return app;
  };
  const configFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop()));
  });

  it("names the ingest token and the dashboard password left at config/relay.example.yml's change-me", async () => {
    // The example's ${INGEST_TOKEN:-change-me} falls back when the variable is unset or empty.
    const app = await start(EXAMPLE_CONFIG, { INGEST_TOKEN: '', DASHBOARD_PASSWORD: '' });
    expect(warningsIn(app.output())).toEqual([
      expect.stringMatching(/^ingest\.auth\.bearer_token: ingest\.auth\.bearer_token is the example config's placeholder "change-me"/),
      expect.stringMatching(/^dashboard\.basic_auth\.password: dashboard\.basic_auth\.password is the example config's placeholder "change-me"/),
    ]);
  });

  it('names each guard that is not set', async () => {
    const app = await start(configFile('open.yml', RECEIVERS));
    expect(warningsIn(app.output())).toEqual([
      'ingest.auth: ingest.auth is not set: anyone who can reach ingest can post notifications to /webhook and reload the config at /-/reload',
      'dashboard.basic_auth: dashboard.basic_auth is not set: Bull Board at /queues is open to anyone who can reach ingest',
    ]);
  });

  it('says nothing of the kind with secrets of your own, and never logs them', async () => {
    const app = await start(
      configFile('secured.yml', `ingest:\n  auth: { basic_auth: { username: am, password: am-s3cret } }\ndashboard:\n  basic_auth: { username: admin, password: dash-s3cret }\n${RECEIVERS}`),
    );
    expect(warningsIn(app.output())).toEqual([]);
    expect(app.output()).not.toMatch(/am-s3cret|dash-s3cret/);
  });
});
