import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_FILE, withEmbeddedDefaults } from './embedded-defaults';

// The config fallback reads paths relative to the working directory, as start-up does.
describe('withEmbeddedDefaults: the config', () => {
  const cwd = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alert-relay-checkout-'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, EXAMPLE_CONFIG_FILE), 'receivers: []\n');
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  // REDIS_URL set: the Redis part does nothing.
  const run = async (vars: NodeJS.ProcessEnv) => {
    const env: NodeJS.ProcessEnv = { REDIS_URL: 'redis://127.0.0.1:1', ...vars };
    const start = jest.fn(async () => undefined);
    await withEmbeddedDefaults(start, env);
    expect(start).toHaveBeenCalledTimes(1);
    return env.RELAY_CONFIG;
  };

  it('runs the example config when there is no config/relay.yml', async () => {
    expect(await run({})).toBe(EXAMPLE_CONFIG_FILE);
  });

  it('leaves RELAY_CONFIG unset when config/relay.yml exists, and alone when it is set', async () => {
    expect(await run({ RELAY_CONFIG: '/etc/relay.yml' })).toBe('/etc/relay.yml');
    writeFileSync(join(dir, 'config', 'relay.yml'), 'receivers: []\n');
    expect(await run({})).toBeUndefined();
  });
});
