// Decorated classes below read design-time types at import; load the polyfill for every consumer.
import 'reflect-metadata';

export * from './channels';
export * from './config-error';
export * from './load-config';
export * from './relay-config';
export * from './relay-config.dto';
export * from './units';
