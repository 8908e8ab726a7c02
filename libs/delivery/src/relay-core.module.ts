import { DynamicModule, Global, Module } from '@nestjs/common';
import { RelayConfig } from '@relay/config';
import { ObservabilityModule, ReadinessRegistry } from '@relay/observability';
import { TemplateSet } from '@relay/templates';

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

/**
 * What every app of the relay shares: the config and templates loaded (and validated) before
 * Nest started, the Redis location, metrics and health. Imported once at each app's root.
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
        { provide: RelayConfig, useValue: runtime.config },
        { provide: TemplateSet, useValue: runtime.templates },
        {
          // Loaded before Nest started, so "config loaded" holds once this module exists.
          provide: 'CONFIG_READINESS',
          inject: [ReadinessRegistry],
          useFactory: (readiness: ReadinessRegistry) => readiness.add('config', async () => undefined),
        },
      ],
      exports: [RELAY_RUNTIME, RelayConfig, TemplateSet],
    };
  }
}
