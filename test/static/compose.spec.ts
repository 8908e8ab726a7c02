import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs in CI: the compose file and Dockerfile are checked against the
// contract (package.json scripts, interface.md ports) statically.
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

const APPS: Array<{ service: string; script: string; port: { name: 'PORT' | 'HEALTH_PORT'; value: string } }> = [
  { service: 'ingest', script: 'start:ingest', port: { name: 'PORT', value: '8080' } },
  { service: 'dingtalk-worker', script: 'start:dingtalk-worker', port: { name: 'HEALTH_PORT', value: '8081' } },
  { service: 'wechat-worker', script: 'start:wechat-worker', port: { name: 'HEALTH_PORT', value: '8082' } },
  { service: 'slack-worker', script: 'start:slack-worker', port: { name: 'HEALTH_PORT', value: '8083' } },
  { service: 'email-worker', script: 'start:email-worker', port: { name: 'HEALTH_PORT', value: '8084' } },
];

describe('docker-compose.yml', () => {
  it('runs Redis durably: AOF on, no eviction, a healthcheck', () => {
    const redis = compose.services.redis;
    const command: string[] = redis.command;
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.volumes[0]).toMatch(/:\/data$/);
  });

  it.each(APPS)('runs $service with the same command as `npm run $script`, on its interface port', ({ service, script, port }) => {
    const svc = compose.services[service];
    expect(svc).toBeDefined();
    expect(svc.command.join(' ')).toBe(scripts[script]);
    expect(svc.build).toBe('.');
    expect(svc.depends_on.redis.condition).toBe('service_healthy');
    expect(svc.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(svc.environment.RELAY_CONFIG).toBe('/config/relay.yml');
    expect(svc.environment[port.name]).toBe(port.value);
    expect(svc.volumes).toContain('./config/relay.example.yml:/config/relay.yml:ro');
    expect(svc.healthcheck.test.join(' ')).toContain('/health/ready');
  });

  it('publishes ingest on 8080 and the mail catcher UI', () => {
    expect(compose.services.ingest.ports).toContain('8080:8080');
    expect(compose.services.mailcatcher.ports).toContain('8025:8025');
  });

  it('lets SIGTERM reach node and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    const cmd = /^CMD (.+)$/m.exec(dockerfile)![1];
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/apps/ingest/src/main.js']);
    expect(compose.services.ingest.stop_grace_period).toBeDefined();
  });

  it("sends the example config's mail to the catcher over plain SMTP", () => {
    const example = parse(readFileSync(join(root, 'config', 'relay.example.yml'), 'utf8'));
    expect(example.global.smtp_smarthost).toContain('mailcatcher:1025');
    expect(example.global.smtp_require_tls).toBe(false);
    expect(compose.services.mailcatcher.image).toMatch(/^axllent\/mailpit:v\d/);
    expect(compose.services['email-worker'].depends_on.mailcatcher).toBeDefined();
    expect(compose.services['email-worker'].depends_on.redis.condition).toBe('service_healthy');
  });

  it('has a worker service for every channel the example config uses', () => {
    const example = parse(readFileSync(join(root, 'config', 'relay.example.yml'), 'utf8'));
    const blocks = new Set(example.receivers.flatMap((r: Record<string, unknown>) => Object.keys(r).filter((k) => k.endsWith('_configs'))));
    const workerFor: Record<string, string> = {
      dingtalk_configs: 'dingtalk-worker',
      wechat_configs: 'wechat-worker',
      wecom_robot_configs: 'wechat-worker',
      slack_configs: 'slack-worker',
      email_configs: 'email-worker',
    };
    for (const block of blocks) expect(compose.services[workerFor[block as string]]).toBeDefined();
  });

  it('mounts an example config that exists', () => {
    expect(() => readFileSync(join(root, 'config', 'relay.example.yml'))).not.toThrow();
  });
});
