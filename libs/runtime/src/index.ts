/** @relay/runtime — start-up: config and templates loaded and checked once, Nest bootstrap, the worker apps. */
export * from './relay-app';
export * from './workers';
