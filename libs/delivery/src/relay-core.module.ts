import { DynamicModule, Global, Module } from '@nestjs/common';
import type { RelayConfig } from '@relay/config';
import { ObservabilityModule, ReadinessRegistry } from '@relay/observability';
import type { TemplateSet } from '@relay/templates';

/**
 * Everything but the Redis location and prefix is what the config file loads to, and a reload
 * (ConfigReloader) replaces it as one: read it off the runtime when it is used, never keep it.
 */
export interface RelayRuntime {
  config: RelayConfig;
  /** The built-in templates and the config's `templates` files. */
  templates: TemplateSet;
  /**
   * The built-in templates alone: what a message falls back to when the target's own templates
   * fail on a notification's data (a user file may redefine the default names in `templates`).
   */
  builtinTemplates: TemplateSet;
  redisUrl: string;
  /** BullMQ prefix, also used for the relay's own keys (rate windows, WeCom tokens). */
  queuePrefix: string;
}

export const RELAY_RUNTIME = Symbol('RELAY_RUNTIME');

/** The part of the runtime a config reload replaces. */
export type LoadedConfig = Pick<RelayRuntime, 'config' | 'templates' | 'builtinTemplates'>;

/** A copy of what is in force now, which a reload landing later does not change. */
export function loadedConfigOf(runtime: LoadedConfig): LoadedConfig {
  const { config, templates, builtinTemplates } = runtime;
  return { config, templates, builtinTemplates };
}

/**
 * What every app of the relay shares: the runtime (config and templates loaded and validated
 * before Nest started, the Redis location), metrics and health. Imported once at each app's root.
 * The config is reached through RELAY_RUNTIME only, so nothing holds one a reload has replaced.
 */
@Global()
@Module({})
export class RelayCoreModule {
  static forRoot(runtime: RelayRuntime): DynamicModule {
    return {
      module: RelayCoreModule,
      imports: [ObservabilityModule],
      providers: [
        { provide: RELAY_RUNTIME, useValue: runtime },
        {
          // Loaded before Nest started, so "config loaded" holds once this module exists.
          provide: 'CONFIG_READINESS',
          inject: [ReadinessRegistry],
          useFactory: (readiness: ReadinessRegistry) => readiness.add('config', async () => undefined),
        },
      ],
      exports: [RELAY_RUNTIME],
    };
  }
}
