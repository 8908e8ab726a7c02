import type { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
}

let root: Pino | undefined;

/**
 * The process-wide logger (pino). Messages never carry secrets: callers log target names.
 * JSON lines, except on a terminal, where a person reads them: one readable line each.
 */
export function rootLogger(): Pino {
  const options = { level: parseLogLevel(process.env.LOG_LEVEL), base: { service: 'alert-relay' }, timestamp: pino.stdTimeFunctions.isoTime };
  root ??= process.stdout.isTTY ? pino(options, readableDestination(process.stdout, !process.env.NO_COLOR)) : pino(options);
  return root;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
// Shown elsewhere in the line, or the same on every line.
const NOT_A_FIELD = new Set(['level', 'time', 'msg', 'service', 'context', 'pid', 'hostname']);

/**
 * pino's JSON line as a person reads it: `12:04:31.123 INFO  [context] message key=value …`, an
 * error's stack on the lines below. A small formatter rather than pino-pretty: it runs in-process,
 * loads nothing and costs microseconds per line, which keeps start-up fast.
 */
export function readableLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = Number(entry.level);
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  let line = `${paint('90', time)} ${paint(LEVEL_COLORS[level] ?? '0', (LEVEL_NAMES[level] ?? String(entry.level)).padEnd(5))}`;
  if (entry.context) line += ` ${paint('36', `[${String(entry.context)}]`)}`;
  if (entry.msg !== undefined) line += ` ${String(entry.msg)}`;
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (NOT_A_FIELD.has(key) || value === undefined) continue;
    const err = value as { stack?: unknown };
    if (typeof err === 'object' && err !== null && typeof err.stack === 'string') stack += `\n    ${err.stack.replace(/\n/g, '\n    ')}`;
    else if (key === 'trace' && typeof value === 'string') stack += `\n    ${value.replace(/\n/g, '\n    ')}`;
    else line += ` ${paint('90', `${key}=`)}${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`;
  }
  return `${line}${stack}\n`;
}

/** A pino destination writing each entry as readableLine does. */
export function readableDestination(out: NodeJS.WritableStream, color = false): { write(line: string): void } {
  return { write: (line) => void out.write(readableLine(line, color)) };
}

/** Nest's logger interface over pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Pino = rootLogger()) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, stringify(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}
