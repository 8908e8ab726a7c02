import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNELS } from '@relay/channels';
import { channelsFrom, WORKER_APPS, WorkerAppName } from '@relay/runtime';
import { parse } from 'yaml';

// No Docker engine runs in CI: the compose file and Dockerfile are checked against the
// contract (package.json scripts, interface.md ports) statically.
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

const nestProjects: Record<string, { root: string }> = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')).projects;

/** Every worker app of the channel record's layout, and ingest: each has its service, script and port. */
const APPS: Array<{ service: string; script: string; port: { name: 'PORT' | 'HEALTH_PORT'; value: string } }> = [
  { service: 'ingest', script: 'start:ingest', port: { name: 'PORT', value: '8080' } },
  ...Object.entries(WORKER_APPS).map(([name, app]) => ({ service: name, script: `start:${name}`, port: { name: 'HEALTH_PORT' as const, value: String(app.healthPort) } })),
];

/** A compose service's channels: a per-channel app's own, or the generic worker's RELAY_CHANNELS. */
function channelsOfService(name: string, service: { command: string[]; environment: Record<string, string> }): string[] {
  if (name in WORKER_APPS) return [...WORKER_APPS[name as WorkerAppName].channels];
  return service.command?.join(' ') === scripts['start:worker'] ? channelsFrom(service.environment.RELAY_CHANNELS) : [];
}

describe('the worker apps follow the channel record', () => {
  it('consumes every channel in exactly one compose service', () => {
    const served = Object.entries(compose.services).flatMap(([name, svc]) => channelsOfService(name, svc as never));
    expect([...served].sort()).toEqual([...CHANNELS].sort());
  });

  it.each(Object.keys(WORKER_APPS))('%s has its entry point, Nest project and npm scripts', (name) => {
    expect(readFileSync(join(root, 'apps', name, 'src', 'main.ts'), 'utf8')).toContain(`runWorkerApp('${name}')`);
    expect(nestProjects[name].root).toBe(`apps/${name}`);
    expect(scripts[`start:${name}`]).toBe(`node dist/apps/${name}/src/main.js`);
  });

  it('has the generic worker (RELAY_CHANNELS) as an app of its own', () => {
    expect(readFileSync(join(root, 'apps', 'worker', 'src', 'main.ts'), 'utf8')).toContain('RELAY_CHANNELS');
    expect(nestProjects.worker.root).toBe('apps/worker');
    expect(scripts['start:worker']).toBe('node dist/apps/worker/src/main.js');
  });
});

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
    const served = new Set(Object.entries(compose.services).flatMap(([name, svc]) => channelsOfService(name, svc as never)));
    for (const block of blocks) expect({ block, served: served.has((block as string).replace(/_configs$/, '')) }).toEqual({ block, served: true });
  });

  it('mounts an example config that exists', () => {
    expect(() => readFileSync(join(root, 'config', 'relay.example.yml'))).not.toThrow();
  });
});
