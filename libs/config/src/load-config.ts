import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from '@relay/models/class-validator';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Document, isScalar, parseDocument, Scalar, visit } from 'yaml';
import { ChannelConfigSpec, ChannelConfigSpecs, configKey } from './channel-config-spec';
import { ConfigError, ConfigIssue, issuesFromValidation, joinPath } from './config-error';
import { GlobalConfig, RelayConfigDto, relayConfigDtoClass } from './relay-config.dto';
import { RelayConfig } from './relay-config';
import type { TargetConfig } from './target.config';

export const DEFAULT_CONFIG_FILE = 'config/relay.yml';

/**
 * The config file a process reads: `RELAY_CONFIG`, or the default when it is unset or empty
 * (`RELAY_CONFIG=` in a compose file or unit means "not set", as start-up has always read it).
 */
export function configFileFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.RELAY_CONFIG || DEFAULT_CONFIG_FILE;
}

// `${VAR}`, or `${VAR:-fallback}` as in the shell (the fallback is used when VAR is unset or empty).
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const PLACEHOLDER = '__alert_relay_env_';
const PLACEHOLDER_REF = /__alert_relay_env_(\d+)_/g;
const WHOLE_PLACEHOLDER = /^__alert_relay_env_(\d+)_$/;


export interface ParseOptions {
  /** Path shown in messages and used for relative template globs. */
  file?: string;
  label?: string;
  env?: NodeJS.ProcessEnv;
  baseDir?: string;
}


/** A config file checked as far as it can be: the config when it is valid, every problem otherwise. */
export interface ConfigInspection {
  /** The file as messages name it. */
  label: string;
  issues: ConfigIssue[];
  /** Set exactly when there is no issue. */
  config?: RelayConfig;
  /**
   * What the template check (parsing each target's template strings) can run on, issues or not,
   * so that one run lists template errors beside the config's own. Undefined when the file is not
   * a config at all or its `templates` are themselves in question.
   */
  templateCheck?: TemplateCheckInput;
}

export interface TemplateCheckInput {
  templateGlobs: string[];
  baseDir: string;
  timezone: string;
  /** Every target block that validated, in file order. */
  targets: TargetBlock[];
}

/** One target block as written, e.g. at `receivers[2].dingtalk_configs[0]`. */
export interface TargetBlock {
  path: string;
  config: TargetConfig;
}

/** Every string of a target block, each with its path: the ones holding `{{` are templates. */
export function stringsOfTarget(target: TargetBlock): Array<{ path: string; text: string }> {
  const strings: Array<{ path: string; text: string }> = [];
  const visitValue = (value: unknown, path: string): void => {
    if (typeof value === 'string') strings.push({ path, text: value });
    else if (Array.isArray(value)) value.forEach((v, i) => visitValue(v, joinPath(path, i)));
    else if (isMapping(value)) for (const [k, v] of Object.entries(value)) visitValue(v, joinPath(path, k));
  };
  visitValue(target.config, target.path);
  return strings;
}

/**
 * Reads, expands and validates relay config files for a set of channels (the relay's own are
 * registered in @relay/channels, which exports its loader's methods).
 */
export class ConfigLoader {
  private readonly dtoClass: new () => RelayConfigDto;

  constructor(private readonly channels: ChannelConfigSpecs) {
    this.dtoClass = relayConfigDtoClass(channels);
  }

  /** Reads, expands and validates a relay config file. Throws ConfigError listing every problem. */
  loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): RelayConfig {
    return configOrThrow(this.inspectConfigFile(file, env));
  }

  parseConfig(text: string, opts: ParseOptions = {}): RelayConfig {
    return configOrThrow(this.inspectConfig(text, opts));
  }

  inspectConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): ConfigInspection {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { label: file, issues: [{ path: '', message: `cannot read the config file: ${(e as Error).message}` }] };
    }
    return this.inspectConfig(text, { file, env, baseDir: dirname(resolve(file)) });
  }

  inspectConfig(text: string, opts: ParseOptions = {}): ConfigInspection {
    const file = opts.file ?? 'relay.yml';
    const label = opts.label ?? basename(file);
    const baseDir = opts.baseDir ?? process.cwd();
    // `${VAR}` is not valid YAML inside a flow mapping (`{ bearer_token: ${TOKEN} }`, as users write it),
    // so each reference becomes a plain placeholder before parsing and is expanded in the parsed strings.
    const refs: EnvRef[] = [];
    const placeholderText = text.replace(ENV_REF, (_, name: string, fallback?: string) => `${PLACEHOLDER}${refs.push({ name, fallback }) - 1}_`);
    const doc = parseDocument(placeholderText, { uniqueKeys: true });
    if (doc.errors.length) {
      // The first syntax error explains the rest, which only cascade from it.
      const e = doc.errors[0];
      const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
      return { label, issues: [{ path: where, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') }] };
    }
    const raw: unknown = doc.toJS() ?? {};
    if (!isMapping(raw)) {
      return { label, issues: [{ path: '', message: 'must be a YAML mapping with a receivers list' }] };
    }
    // `receivers:` with nothing under it is a config without receivers yet, like `receivers: []`;
    // leaving the key out altogether stays an error (that file is more likely not a relay config).
    if (raw.receivers === null) raw.receivers = [];
    const expansion: EnvExpansion = { refs, env: opts.env ?? process.env, wholeScalarRefs: wholeScalarRefsOf(doc), issues: [], readings: [] };
    const expanded = expandEnv(withoutEmptyValues(raw), [], expansion);

    const dto = plainToInstance(this.dtoClass, expanded, { exposeDefaultValues: true });
    applyTypedReadings(dto, expansion.readings);
    const issues = [...expansion.issues, ...emptyRegexpIssues(raw)];
    const supportedBlocks = Object.keys(this.channels).map(configKey);
    issues.push(
      ...issuesFromValidation(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }), supportedBlocks),
    );
    // Checks across fields run on every part that validated, so one run lists everything.
    const isClean = (path: string) => !hasIssueAtOrUnder(issues, path);
    issues.push(...crossChecks(dto, this.channels, isClean));
    const templateCheck = templateCheckInput(dto, baseDir, this.channels, isClean);
    if (issues.length) return { label, issues, templateCheck };
    return { label, issues, config: new RelayConfig(file, baseDir, dto, this.channels), templateCheck };
  }
}

function configOrThrow(inspection: ConfigInspection): RelayConfig {
  if (!inspection.config) throw new ConfigError(inspection.label, inspection.issues);
  return inspection.config;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The relay does not route, yet it refuses what Alertmanager would not load at all in the routing
 * it accepts as written: a `match_re` label with no regexp (read as absent once empty values are
 * dropped, so this looks at the file as parsed), in Alertmanager's words.
 */
function emptyRegexpIssues(raw: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (owner: unknown, at: string, keys: string[]) => {
    if (!isMapping(owner)) return;
    for (const key of keys) {
      const matchers = owner[key];
      if (!isMapping(matchers)) continue;
      for (const [label, regexp] of Object.entries(matchers)) {
        if (regexp === null) issues.push({ path: joinPath(joinPath(at, key), label), message: `invalid regexp value for "${label}"` });
      }
    }
  };
  const route = (node: unknown, at: string): void => {
    check(node, at, ['match_re']);
    if (isMapping(node) && Array.isArray(node.routes)) node.routes.forEach((child, i) => route(child, joinPath(joinPath(at, 'routes'), i)));
  };
  route(raw.route, 'route');
  if (Array.isArray(raw.inhibit_rules)) raw.inhibit_rules.forEach((rule, i) => check(rule, joinPath('inhibit_rules', i), ['source_match_re', 'target_match_re']));
  return issues;
}

/** Whether `path` itself or a field under it already has a problem. */
function hasIssueAtOrUnder(issues: ConfigIssue[], path: string): boolean {
  return issues.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
}

/**
 * A key with nothing after it (`dashboard:`, `rate_limit:`) reads as null. As in Alertmanager,
 * where Go's yaml leaves such a field unset, it counts as absent and its defaults apply. A null
 * list entry (`receivers: [~]`) means nothing, so it stays for validation to name.
 */
function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (!isMapping(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutEmptyValues(v)]])));
}

/** `${VAR}` in any string value comes from the environment; an unset variable is an error, not ''. */
interface EnvRef {
  name: string;
  fallback?: string;
}

interface EnvExpansion {
  refs: EnvRef[];
  env: NodeJS.ProcessEnv;
  /** References written as a whole unquoted scalar (`max: ${M}`, not `'${M}'` or `a${M}`). */
  wholeScalarRefs: Set<number>;
  issues: ConfigIssue[];
  readings: TypedReading[];
}

/** Where a whole-scalar reference expanded to text that YAML reads as a boolean or a number. */
interface TypedReading {
  at: Array<string | number>;
  value: boolean | number;
}

function wholeScalarRefsOf(doc: Document): Set<number> {
  const refs = new Set<number>();
  visit(doc, {
    Scalar(_, node) {
      const ref = node.type === Scalar.PLAIN && typeof node.value === 'string' ? WHOLE_PLACEHOLDER.exec(node.value) : null;
      if (ref) refs.add(Number(ref[1]));
    },
  });
  return refs;
}

function expandEnv(value: unknown, at: Array<string | number>, expansion: EnvExpansion): unknown {
  if (typeof value === 'string') {
    const { refs, env, issues } = expansion;
    const text = value.replace(PLACEHOLDER_REF, (_, index: string) => {
      const { name, fallback } = refs[Number(index)];
      // As in the shell: `${VAR}` is VAR's value, empty included; only `${VAR:-fallback}` treats empty as unset.
      const v = fallback === undefined ? env[name] : env[name] || fallback;
      if (v === undefined) {
        issues.push({ path: pathOf(at), message: `environment variable ${name} is not set` });
        return '';
      }
      return v;
    });
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole && expansion.wholeScalarRefs.has(Number(whole[1]))) {
      const reading = booleanOrNumberReading(text);
      if (reading !== undefined) expansion.readings.push({ at, value: reading });
    }
    return text;
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, [...at, i], expansion));
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, [...at, k], expansion)]));
  }
  return value;
}

function pathOf(at: Array<string | number>): string {
  return at.reduce<string>((path, key) => joinPath(path, key), '');
}

/** What YAML makes of `text` written as a plain scalar, when that is a boolean or a number. */
function booleanOrNumberReading(text: string): boolean | number | undefined {
  // Empty is a value the user set, not YAML's null (which would mean "absent").
  if (text.trim() === '') return undefined;
  const doc = parseDocument(text);
  if (doc.errors.length || !isScalar(doc.contents)) return undefined;
  const value = doc.contents.value;
  return typeof value === 'boolean' || typeof value === 'number' ? value : undefined;
}

/**
 * A whole-scalar `${VAR}` expands to text, so `password: ${P}` stays a string whatever P holds,
 * as it always has. A field declared boolean or number takes what YAML reads from that text
 * instead, as if it had been written there: `send_resolved: ${SR}` with SR=true, `max: ${M}` with M=20.
 */
function applyTypedReadings(dto: RelayConfigDto, readings: TypedReading[]): void {
  for (const { at, value } of readings) {
    const owner = at.slice(0, -1).reduce<unknown>((node, key) => (node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[key]), dto);
    const field = at[at.length - 1];
    if (!isMapping(owner) || typeof field !== 'string') continue;
    const declared: unknown = Reflect.getMetadata('design:type', owner, field);
    if (declared === Boolean || declared === Number) owner[field] = value;
  }
}

function crossChecks(dto: RelayConfigDto, channels: ChannelConfigSpecs, isClean: (path: string) => boolean): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const receiverNames = new Map<string, number>();
  const targetNames = new Map<string, string>();
  const auth = dto.ingest?.auth;
  if (isMapping(auth) && auth.bearer_token && auth.basic_auth) {
    issues.push({ path: 'ingest.auth', message: 'set bearer_token or basic_auth, not both' });
  }
  if (!Array.isArray(dto.receivers)) return issues;
  dto.receivers.forEach((receiver, r) => {
    if (!isMapping(receiver)) return;
    const at = `receivers[${r}]`;
    const receiverName = isClean(`${at}.name`) ? receiver.name : undefined;
    if (receiverName !== undefined) {
      const seen = receiverNames.get(receiverName);
      if (seen !== undefined) issues.push({ path: `${at}.name`, message: `"${receiverName}" is already the name of receivers[${seen}]` });
      receiverNames.set(receiverName, r);
    }
    for (const channel of Object.keys(channels)) {
      const key = configKey(channel);
      const blocks: unknown = receiver[key];
      if (!Array.isArray(blocks)) continue;
      blocks.forEach((block: unknown, i) => {
        if (!isMapping(block)) return;
        const where = `${at}.${key}[${i}]`;
        if (isClean(where)) {
          const problem = checkTargetWithGlobal(channels[channel], block as unknown as TargetConfig, dto.global, isClean);
          if (problem) issues.push({ path: where, message: problem });
        }
        const explicitName = isClean(`${where}.name`) ? (block as unknown as TargetConfig).name : undefined;
        const name = explicitName ?? (receiverName === undefined ? undefined : `${receiverName}/${channel}/${i}`);
        if (name === undefined) return;
        const other = targetNames.get(name);
        if (other) issues.push({ path: `${where}.name`, message: `target name "${name}" is already used by ${other}` });
        targetNames.set(name, where);
      });
    }
  });
  return issues;
}

/**
 * A channel's own check may read `global` (a field set either there or on the target). Its verdict
 * stands only when every global field it read is clean: one with a problem is listed already, and
 * the check would merely echo it ("needs api_secret" beside "wechat_api_secret: ... is not set").
 */
function checkTargetWithGlobal(spec: ChannelConfigSpec, target: TargetConfig, global: GlobalConfig, isClean: (path: string) => boolean): string | undefined {
  if (!isMapping(global)) return undefined;
  const read = new Set<string>();
  const watched = new Proxy(global, {
    get(object, field, receiver) {
      if (typeof field === 'string') read.add(field);
      return Reflect.get(object, field, receiver) as unknown;
    },
  });
  const problem = spec.checkTarget?.(target, watched);
  return [...read].every((field) => isClean(`global.${field}`)) ? problem : undefined;
}

function templateCheckInput(dto: RelayConfigDto, baseDir: string, channels: ChannelConfigSpecs, isClean: (path: string) => boolean): TemplateCheckInput | undefined {
  if (!isClean('templates') || !Array.isArray(dto.receivers)) return undefined;
  const targets: TargetBlock[] = [];
  dto.receivers.forEach((receiver, r) => {
    if (!isMapping(receiver)) return;
    for (const channel of Object.keys(channels)) {
      const key = configKey(channel);
      const blocks: unknown = receiver[key];
      if (!Array.isArray(blocks)) continue;
      blocks.forEach((block: unknown, i) => {
        const path = `receivers[${r}].${key}[${i}]`;
        if (isMapping(block) && isClean(path)) targets.push({ path, config: block as unknown as TargetConfig });
      });
    }
  });
  const timezone = isMapping(dto.global) && isClean('global.timezone') ? dto.global.timezone : 'UTC';
  return { templateGlobs: dto.templates, baseDir, timezone, targets };
}
