import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './payloads';
import { findRedisServer, freePort, listening } from './redis-server';

/** One redis-server or redis-sentinel process owned by a test. */
export interface RedisNode {
  port: number;
  readonly alive: boolean;
  /** What it printed (its log), for a failure message. */
  output(): string;
  /** Sends the signal (SIGKILL by default) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

// Every process started here, so none outlives the test run whatever failed: stop() kills its own,
// and a jest worker that exits without reaching stop() kills the rest on its way out.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function spawnNode(bin: string, args: string[], port: number): Promise<RedisNode> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      running.delete(child);
      r();
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const node: RedisNode = {
    port,
    get alive() {
      return alive();
    },
    output: () => output,
    kill: async (signal = 'SIGKILL') => {
      if (alive()) child.kill(signal);
      await exited;
    },
  };
  try {
    await eventually(async () => {
      if (!alive()) throw new Error(`${bin} ${args.join(' ')} exited: ${output}`);
      return listening(port);
    }, 10_000, 25);
  } catch (e) {
    await node.kill();
    throw e;
  }
  return node;
}

function serverArgs(port: number, dir: string, extra: string[] = []): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction', ...extra];
}

function findBinary(name: string, apt: string): string {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(`This test needs ${name} (Debian: apt-get install ${apt}).`);
  return name;
}

/** Runs `fn` with a short-lived client of one node. */
async function withClient<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

class Owned {
  readonly nodes: RedisNode[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'alert-relay-topology-'));

  add(node: RedisNode): RedisNode {
    this.nodes.push(node);
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops what was started when starting the rest failed, so a broken setup leaves nothing running. */
  async orStop<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }
}

export interface SentinelGroup {
  /** REDIS_URL for the relay: `redis+sentinel://127.0.0.1:<s1>,…/<master name>`. */
  url: string;
  masterName: string;
  primary: RedisNode;
  replica: RedisNode;
  sentinels: RedisNode[];
  /** The port every live Sentinel names as the master's. */
  agreedPrimaryPort(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * A primary, its replica and three Sentinels (quorum 2) watching them, on free local ports.
 * Sentinels call the primary down after 1 s without an answer, so a failover takes a few seconds.
 */
export async function startSentinelGroup(masterName = 'relaymaster'): Promise<SentinelGroup> {
  const server = findRedisServer();
  const sentinelBin = findBinary('redis-sentinel', 'redis-sentinel');
  const owned = new Owned();
  return owned.orStop(async () => {
    const primaryPort = await freePort();
    const primary = owned.add(await spawnNode(server, serverArgs(primaryPort, mkdir(owned.dir, 'primary')), primaryPort));
    const replicaPort = await freePort();
    const replica = owned.add(
      await spawnNode(server, serverArgs(replicaPort, mkdir(owned.dir, 'replica'), ['--replicaof', '127.0.0.1', String(primaryPort)]), replicaPort),
    );
    const sentinels: RedisNode[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = mkdir(owned.dir, `sentinel-${i}`);
      const conf = join(dir, 'sentinel.conf');
      // Sentinel rewrites its config file as it learns the group, so each has its own.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          // Short, so an election that splits the votes is tried again within seconds.
          `sentinel failover-timeout ${masterName} 2000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(owned.add(await spawnNode(sentinelBin, [conf], port)));
    }
    // A failover needs the Sentinels to know each other and the replica, and the replica to be in
    // sync; only then does killing the primary test the relay rather than the setup.
    await eventually(
      async () => {
        const link = await withClient(replicaPort, (r) => r.info('replication'));
        if (!/master_link_status:up/.test(link)) return false;
        for (const s of sentinels) {
          const master = pairs((await withClient(s.port, (r) => r.call('SENTINEL', 'MASTER', masterName))) as string[]);
          if (master['num-other-sentinels'] !== '2' || master['num-slaves'] !== '1') return false;
        }
        return true;
      },
      30_000,
      200,
    );
    return {
      url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}`,
      masterName,
      primary,
      replica,
      sentinels,
      agreedPrimaryPort: async () => {
        const ports = new Set<number>();
        for (const s of sentinels.filter((n) => n.alive)) {
          const [, port] = (await withClient(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName))) as [string, string];
          ports.add(Number(port));
        }
        return ports.size === 1 ? [...ports][0] : undefined;
      },
      stop: () => owned.stop(),
    };
  });
}

export interface RedisClusterNodes {
  /** REDIS_URL for the relay: `redis+cluster://127.0.0.1:<n1>,…`. */
  url: string;
  nodes: RedisNode[];
  /** The port of the master serving the slot of keys tagged `{tag}`. */
  ownerOf(tag: string): Promise<number>;
  /** Keys on each node, by port. */
  keysPerNode(): Promise<Map<number, number>>;
  stop(): Promise<void>;
}

/** A Redis Cluster of `masters` masters (no replicas) on free local ports, slots spread evenly. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterNodes> {
  const server = findRedisServer();
  const cli = findBinary('redis-cli', 'redis-tools');
  const owned = new Owned();
  return owned.orStop(async () => {
    const nodes: RedisNode[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The bus port defaults to port + 10000, which may be taken or out of range; name a free one.
      const busPort = await freePort();
      const dir = mkdir(owned.dir, `node-${i}`);
      nodes.push(
        owned.add(
          await spawnNode(
            server,
            serverArgs(port, dir, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-port', String(busPort), '--cluster-node-timeout', '2000']),
            port,
          ),
        ),
      );
    }
    const create = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        running.delete(child);
        resolve({ code, output });
      });
    });
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed: ${create.output}`);
    // Every node must agree the cluster is whole before a client is pointed at it.
    await eventually(
      async () => {
        for (const n of nodes) if (!/cluster_state:ok/.test((await withClient(n.port, (r) => r.call('CLUSTER', 'INFO'))) as string)) return false;
        return true;
      },
      20_000,
      100,
    );
    return {
      url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
      nodes,
      ownerOf: async (tag) => {
        const slot = (await withClient(nodes[0].port, (r) => r.call('CLUSTER', 'KEYSLOT', `{${tag}}`))) as number;
        const ranges = (await withClient(nodes[0].port, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, [string, number]]>;
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return owner[2][1];
      },
      keysPerNode: async () => new Map(await Promise.all(nodes.map(async (n) => [n.port, await withClient(n.port, (r) => r.dbsize())] as [number, number]))),
      stop: () => owned.stop(),
    };
  });
}

/**
 * Kills the Node processes this test process started that are still running. startAppProcess
 * keeps no handle on a child that never became ready, and such a child (and its pipes) would keep
 * jest from exiting; every child of this process is this test file's own.
 */
export function killStrayNodeChildren(): void {
  const listed = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  for (const line of (listed.stdout ?? '').split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && m[2].startsWith(process.execPath)) {
      try {
        process.kill(Number(m[1]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function mkdir(parent: string, name: string): string {
  return mkdtempSync(join(parent, `${name}-`));
}
