// Decorated classes below read design-time types at import; load the polyfill for every consumer.
import 'reflect-metadata';

export * from './channel-config-spec';
export * from './config-error';
export * from './load-config';
export * from './relay-config';
export * from './relay-config.dto';
export * from './target.config';
export * from './tls-config';
export * from './units';
export * from './validators';
