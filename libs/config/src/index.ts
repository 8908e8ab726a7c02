export * from './channels';
export * from './config-error';
export * from './load-config';
export * from './relay-config';
export * from './relay-config.dto';
export * from './units';
