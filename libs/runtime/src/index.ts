/** @relay/runtime — start-up: config and templates loaded and checked (again on reload), Nest bootstrap, the worker apps. */
export * from './config-reloader';
export * from './load-runtime';
export * from './relay-app';
export * from './reload-broadcast';
export * from './workers';
