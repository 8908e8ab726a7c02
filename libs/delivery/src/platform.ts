/**
 * What a channel's folder builds on, without the worker machinery: no Nest, BullMQ or Redis client
 * is loaded by importing it, so `check-config` reads every channel's definition in a few hundred
 * milliseconds. Channels import from here (`@relay/delivery/platform`); apps use `@relay/delivery`.
 */
export * from './channel-definition';
export * from './delivery-failure';
export * from './platform-http';
export * from './queue-settings';
export * from './secret-file';
export * from './tls-options';
export { secretAddressScope } from './target-rate-limiter';
