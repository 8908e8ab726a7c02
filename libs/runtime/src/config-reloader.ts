import { DynamicModule, Global, Inject, Injectable, Module } from '@nestjs/common';
import type { RelayConfig } from '@relay/config';
import { loadedConfigOf, RELAY_RUNTIME, RelayRuntime, redactRedisUrl } from '@relay/delivery';
import { RelayMetrics, rootLogger } from '@relay/observability';

/** Loads the runtime again from where start-up loaded it (the config file, the environment). */
export type ConfigSource = () => Promise<RelayRuntime>;

export const CONFIG_SOURCE = Symbol('CONFIG_SOURCE');

/**
 * Settings a running process took once at start (a port, the body limit the HTTP server was
 * built with), by the name an operator knows them by, as the given runtime would set them.
 */
export type StartOnlySettings = (runtime: RelayRuntime) => Record<string, string | number | undefined>;

/**
 * Config reload without restart, as Alertmanager has it (SIGHUP, `POST /-/reload`): the file
 * and its templates are loaded and checked as at start-up, and only a config that passes
 * replaces the one in force, all of it in one synchronous step, so no reader sees half of each.
 * A config that fails is refused with every reason, and the one in force stays.
 */
@Injectable()
export class ConfigReloader {
  private readonly log = rootLogger();
  private readonly listeners: Array<(config: RelayConfig) => void> = [];
  private readonly startOnly: Array<{ of: StartOnlySettings; inForce: ReturnType<StartOnlySettings> }> = [];
  /** Reloads run one after another: a SIGHUP and a POST arriving together must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    @Inject(CONFIG_SOURCE) private readonly source: ConfigSource,
    private readonly metrics: RelayMetrics,
  ) {
    // Start-up loaded this config, and a config that did not load would have stopped it.
    this.recordSuccess();
    this.keepsFromStart((rt) => ({ REDIS_URL: redactRedisUrl(rt.redisUrl), QUEUE_PREFIX: rt.queuePrefix }));
  }

  /** Calls `listener` with the config in force now and again after every reload that succeeds. */
  onConfig(listener: (config: RelayConfig) => void): void {
    this.listeners.push(listener);
    this.notify(listener, this.runtime.config);
  }

  /** Names settings a reload cannot change, so a reload that changes them says it needs a restart. */
  keepsFromStart(of: StartOnlySettings): void {
    this.startOnly.push({ of, inForce: of(this.runtime) });
  }

  /** Resolves once the new config is in force; rejects (ConfigError: every issue with its path) when it was refused. */
  reload(): Promise<void> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<void> {
    const file = this.runtime.config.file;
    let next: RelayRuntime;
    try {
      next = await this.source();
    } catch (e) {
      this.log.error({ file }, `config reload refused, the config in force stays:\n${(e as Error).message}`);
      this.metrics.configLastReloadSuccessful.set(0);
      throw e;
    }
    for (const { of, inForce } of this.startOnly) {
      for (const [setting, configured] of Object.entries(of(next))) {
        if (configured === inForce[setting]) continue;
        this.log.warn({ setting, inForce: inForce[setting], configured }, `${setting} changed to ${configured}; it needs a restart: until then this process keeps ${inForce[setting]}`);
      }
    }
    Object.assign(this.runtime, loadedConfigOf(next));
    this.recordSuccess();
    this.log.info({ file, receivers: next.config.receivers.size, targets: next.config.targets.size }, 'config reloaded');
    for (const listener of this.listeners) this.notify(listener, next.config);
  }

  private recordSuccess(): void {
    this.metrics.configLastReloadSuccessful.set(1);
    this.metrics.configLastReloadSuccessTimestamp.set(Date.now() / 1000);
  }

  /** The new config is in force already; a listener that fails (a warning not logged) must not undo or hide that. */
  private notify(listener: (config: RelayConfig) => void, config: RelayConfig): void {
    try {
      listener(config);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a config listener failed');
    }
  }
}

/** Provides ConfigReloader to every module of the app, reloading from `source`. */
@Global()
@Module({})
export class ConfigReloadModule {
  static forRoot(source: ConfigSource): DynamicModule {
    return {
      module: ConfigReloadModule,
      providers: [{ provide: CONFIG_SOURCE, useValue: source }, ConfigReloader],
      exports: [ConfigReloader],
    };
  }
}
