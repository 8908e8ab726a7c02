import { inspectConfig } from '@relay/channels';
import { insecureSettings } from './insecure-settings';

const configOf = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const inspection = inspectConfig(`${yaml}\nreceivers: []\n`, { file: 'relay.yml', env, baseDir: '/tmp' });
  expect(inspection.issues).toEqual([]);
  return inspection.config!;
};
const settingsOf = (yaml: string, env?: NodeJS.ProcessEnv) => insecureSettings(configOf(yaml, env)).map((s) => s.setting);

describe('insecureSettings', () => {
  it('names both guards when neither is set', () => {
    expect(settingsOf('')).toEqual(['ingest.auth', 'dashboard.basic_auth']);
  });

  it("names the example config's placeholders, as its ${VAR:-change-me} fallbacks give them", () => {
    const example = `
ingest:
  auth: { bearer_token: "\${INGEST_TOKEN:-change-me}" }
dashboard:
  basic_auth: { username: admin, password: "\${DASHBOARD_PASSWORD:-change-me}" }`;
    expect(settingsOf(example)).toEqual(['ingest.auth.bearer_token', 'dashboard.basic_auth.password']);
    expect(settingsOf(example, { INGEST_TOKEN: 'a-real-token', DASHBOARD_PASSWORD: 'a-real-password' })).toEqual([]);
    expect(settingsOf('ingest:\n  auth: { basic_auth: { username: am, password: Change-Me } }\ndashboard:\n  basic_auth: { username: a, password: s3cret }')).toEqual([
      'ingest.auth.basic_auth.password',
    ]);
  });

  it('never puts a real secret in a message', () => {
    const found = insecureSettings(configOf('ingest:\n  auth: { bearer_token: t0p-s3cret }'));
    expect(found.map((s) => s.setting)).toEqual(['dashboard.basic_auth']);
    expect(JSON.stringify(found)).not.toContain('t0p-s3cret');
  });
});
