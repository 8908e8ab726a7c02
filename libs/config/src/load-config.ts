import { CHANNELS, CHANNEL_CONFIG_KEYS } from '@relay/models';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { checkChannelTarget, CHANNEL_SPECS } from './channels';
import { ConfigError, ConfigIssue, issuesFromValidation, joinPath } from './config-error';
import { RelayConfigDto } from './relay-config.dto';
import { RelayConfig } from './relay-config';

export const DEFAULT_CONFIG_FILE = 'config/relay.yml';

// `${VAR}`, or `${VAR:-fallback}` as in the shell (the fallback is used when VAR is unset or empty).
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const PLACEHOLDER = '__alert_relay_env_';
const PLACEHOLDER_REF = /__alert_relay_env_(\d+)_/g;

/** Reads, expands and validates a relay config file. Throws ConfigError listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const label = basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file: ${(e as Error).message}` }]);
  }
  return parseConfig(text, { file, label, env, baseDir: dirname(resolve(file)) });
}

export interface ParseOptions {
  /** Path shown in messages and used for relative template globs. */
  file?: string;
  label?: string;
  env?: NodeJS.ProcessEnv;
  baseDir?: string;
}

export function parseConfig(text: string, opts: ParseOptions = {}): RelayConfig {
  const file = opts.file ?? 'relay.yml';
  const label = opts.label ?? basename(file);
  // `${VAR}` is not valid YAML inside a flow mapping (`{ bearer_token: ${TOKEN} }`, as users write it),
  // so each reference becomes a plain placeholder before parsing and is expanded in the parsed strings.
  const refs: EnvRef[] = [];
  const placeholderText = text.replace(ENV_REF, (_, name: string, fallback?: string) => `${PLACEHOLDER}${refs.push({ name, fallback }) - 1}_`);
  const doc = parseDocument(placeholderText, { uniqueKeys: true });
  if (doc.errors.length) {
    // The first syntax error explains the rest, which only cascade from it.
    const e = doc.errors[0];
    const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new ConfigError(label, [{ path: where, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') }]);
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    throw new ConfigError(label, [{ path: '', message: 'must be a YAML mapping with a receivers list' }]);
  }
  const issues: ConfigIssue[] = [];
  const expanded = expandEnv(raw, '', refs, opts.env ?? process.env, issues);

  const dto = plainToInstance(RelayConfigDto, expanded, { exposeDefaultValues: true });
  const supportedBlocks = CHANNELS.map((c) => CHANNEL_CONFIG_KEYS[c]);
  issues.push(
    ...issuesFromValidation(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }), supportedBlocks),
  );
  if (issues.length === 0) issues.push(...crossChecks(dto));
  if (issues.length) throw new ConfigError(label, issues);
  return new RelayConfig(file, opts.baseDir ?? process.cwd(), dto);
}

/** `${VAR}` in any string value comes from the environment; an unset variable is an error, not ''. */
interface EnvRef {
  name: string;
  fallback?: string;
}

function expandEnv(value: unknown, path: string, refs: EnvRef[], env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER_REF, (_, index: string) => {
      const { name, fallback } = refs[Number(index)];
      const v = env[name] || fallback;
      if (v === undefined) {
        issues.push({ path, message: `environment variable ${name} is not set` });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, joinPath(path, i), refs, env, issues));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, joinPath(path, k), refs, env, issues)]));
  }
  return value;
}

function crossChecks(dto: RelayConfigDto): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const receiverNames = new Map<string, number>();
  const targetNames = new Map<string, string>();
  if (dto.ingest.auth?.bearer_token && dto.ingest.auth.basic_auth) {
    issues.push({ path: 'ingest.auth', message: 'set bearer_token or basic_auth, not both' });
  }
  dto.receivers.forEach((receiver, r) => {
    const at = `receivers[${r}]`;
    const seen = receiverNames.get(receiver.name);
    if (seen !== undefined) issues.push({ path: `${at}.name`, message: `"${receiver.name}" is already the name of receivers[${seen}]` });
    receiverNames.set(receiver.name, r);
    for (const channel of CHANNELS) {
      const key = CHANNEL_CONFIG_KEYS[channel];
      const blocks = receiver[key] ?? [];
      if (blocks.length && !CHANNEL_SPECS[channel].delivered) {
        issues.push({ path: `${at}.${key}`, message: `${channel} delivery is not available in this version yet` });
      }
      blocks.forEach((block, i) => {
        const name = block.name ?? `${receiver.name}/${channel}/${i}`;
        const where = `${at}.${key}[${i}]`;
        const problem = checkChannelTarget(channel, block, dto.global);
        if (problem) issues.push({ path: where, message: problem });
        const other = targetNames.get(name);
        if (other) issues.push({ path: `${where}.name`, message: `target name "${name}" is already used by ${other}` });
        targetNames.set(name, where);
      });
    }
  });
  return issues;
}
