import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Document, isMap, isSeq, parse as parseYaml, YAMLMap } from 'yaml';
import { expandGlob, TemplateSet } from '@relay/templates';

/** The tool's defaults (config/config.go): a target's message, and what `message:` fields left out take. */
const TOOL_DEFAULT_TITLE = '{{ template "ding.link.title" . }}';
const TOOL_DEFAULT_TEXT = '{{ template "ding.link.content" . }}';
const TOOL_TARGET_NAME = /^[a-zA-Z][a-zA-Z0-9\-_]*$/;
/** What the relay's dingtalk_configs.mentions.mobiles accepts. */
const MOBILE = /^\+?[0-9-]{5,20}$/;

interface Problems {
  errors: string[];
  warnings: string[];
}

/**
 * `alert-relay import prometheus-webhook-dingtalk CONFIG.yml`: prints a relay config with one
 * receiver per target of the tool's config (named as the target, so Alertmanager's URL changes
 * from `/dingtalk/<target>/send` to `/webhook/<target>` only), each with one dingtalk_configs
 * entry in the tool's template dialect. Warnings (what has no counterpart) and errors (what the
 * relay would refuse) go to stderr; exit 0, or 1 when the printed config would not load.
 */
export async function importCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, cwd = process.cwd()): Promise<number> {
  const [tool, file, ...extra] = args;
  if (tool !== 'prometheus-webhook-dingtalk' || !file || extra.length) {
    err.write('usage: alert-relay import prometheus-webhook-dingtalk CONFIG.yml\n');
    return 2;
  }
  const path = resolve(cwd, file);
  let source: unknown;
  try {
    source = parseYaml(await readFile(path, 'utf8'));
  } catch (e) {
    err.write(`${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const problems: Problems = { errors: [], warnings: [] };
  const doc = await convert(source ?? {}, file, dirname(path), cwd, problems);
  out.write(doc.toString({ lineWidth: 0 }));
  for (const w of problems.warnings) err.write(`${file}: warning: ${w}\n`);
  for (const e of problems.errors) err.write(`${file}: error: ${e}\n`);
  const names = Object.keys(asRecord(asRecord(source).targets));
  if (names.length) {
    err.write(`\nIn alertmanager.yml, point each DingTalk webhook at the relay's ingest (POST /webhook/<receiver>; default port 8080):\n`);
    for (const n of names) err.write(`  http://<prometheus-webhook-dingtalk>:8060/dingtalk/${n}/send  ->  http://<alert-relay>:8080/webhook/${n}\n`);
  }
  return problems.errors.length ? 1 : 0;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

async function convert(source: unknown, file: string, configDir: string, cwd: string, p: Problems): Promise<Document> {
  const cfg = asRecord(source);
  if (!source || typeof source !== 'object' || Array.isArray(source)) p.errors.push('the file is not a YAML mapping');
  const known = new Set(['no_builtin_template', 'template', 'templates', 'default_message', 'timeout', 'targets']);
  for (const k of Object.keys(cfg)) if (!known.has(k)) p.errors.push(`${k}: not a prometheus-webhook-dingtalk setting (it refuses unknown fields too)`);
  const comments: string[] = [];

  if (cfg.timeout !== undefined) {
    const note = `timeout (${String(cfg.timeout)}) not carried over: the relay waits up to 40 s for DingTalk and retries by age (max_delivery_age)`;
    p.warnings.push(note);
    comments.push(note);
  }
  if (cfg.no_builtin_template === true) {
    const note = 'no_builtin_template not carried over: the tool\'s built-in template names stay available to these targets, behind your own files';
    p.warnings.push(note);
    comments.push(note);
  }

  const globs = [...(Array.isArray(cfg.templates) ? cfg.templates : cfg.templates === undefined ? [] : [cfg.templates]), ...(cfg.template === undefined ? [] : [cfg.template])];
  const templates: string[] = [];
  for (const [i, g] of globs.entries()) {
    if (typeof g !== 'string') {
      p.errors.push(`templates[${i}]: must be a path or glob`);
      continue;
    }
    templates.push(await templatePath(g, configDir, cwd, i, p));
  }
  const set = await loadTemplates(templates, p);

  const defaults = message(cfg.default_message, 'default_message', p) ?? { title: TOOL_DEFAULT_TITLE, text: TOOL_DEFAULT_TEXT };
  const targets = asRecord(cfg.targets);
  if (!Object.keys(targets).length) p.warnings.push('targets: none, so the config has no receivers');
  const receivers: Record<string, unknown>[] = [];
  const receiverComments: string[] = [];
  for (const [name, raw] of Object.entries(targets)) {
    const at = `targets.${name}`;
    if (!TOOL_TARGET_NAME.test(name)) p.errors.push(`${at}: invalid target name (the tool requires ${TOOL_TARGET_NAME.source})`);
    const t = asRecord(raw);
    for (const k of Object.keys(t)) if (!['url', 'secret', 'mention', 'message'].includes(k)) p.errors.push(`${at}.${k}: not a target setting of prometheus-webhook-dingtalk`);
    const target: Record<string, unknown> = {};
    if (typeof t.url !== 'string' || !t.url) p.errors.push(`${at}.url: required (the tool refuses a target without it)`);
    else {
      target.url = t.url;
      if (!/^https?:\/\/[^/]/.test(t.url)) p.errors.push(`${at}.url: must be an http(s) URL`);
      else if (!/[?&]access_token=[^&]+/.test(t.url)) p.errors.push(`${at}.url: the relay needs the robot's access_token query parameter in it`);
    }
    if (t.secret !== undefined && t.secret !== '') target.secret = String(t.secret);
    target.template_dialect = 'prometheus-webhook-dingtalk';
    const msg = message(t.message, `${at}.message`, p) ?? defaults;
    target.title = msg.title;
    target.text = msg.text;
    for (const [field, text] of [['title', msg.title], ['text', msg.text]] as const) checkText(set, text, `${at}.message.${field}`, p);
    const mention = asRecord(t.mention);
    if (t.mention !== undefined) {
      for (const k of Object.keys(mention)) if (!['all', 'mobiles'].includes(k)) p.errors.push(`${at}.mention.${k}: not a mention setting of prometheus-webhook-dingtalk`);
      const mentions: Record<string, unknown> = {};
      if (mention.all === true) mentions.all = true;
      const mobiles: string[] = [];
      for (const [i, m] of (Array.isArray(mention.mobiles) ? mention.mobiles : []).entries()) {
        const mobile = String(m);
        if (MOBILE.test(mobile)) mobiles.push(mobile);
        else p.warnings.push(`${at}.mention.mobiles[${i}]: ${JSON.stringify(mobile)} left out: not a phone number (the relay accepts digits, '-' and a leading '+')`);
      }
      if (mobiles.length) mentions.mobiles = mobiles;
      if (Object.keys(mentions).length) target.mentions = mentions;
    }
    receivers.push({ name, dingtalk_configs: [target] });
    receiverComments.push(` was POST /dingtalk/${name}/send; Alertmanager's webhook url is now http://<alert-relay>:8080/webhook/${name}`);
  }

  const out: Record<string, unknown> = {};
  if (templates.length) out.templates = templates;
  out.receivers = receivers;
  const doc = new Document(out);
  doc.commentBefore = [
    ` Converted from prometheus-webhook-dingtalk's ${file} by \`alert-relay import prometheus-webhook-dingtalk\`.`,
    ' Each target is a receiver of the same name; its templates render as the tool rendered them (template_dialect).',
    ' ingest.auth is not set: anyone who reaches the relay can post (set ingest.auth and Alertmanager\'s http_config).',
    ...comments.map((c) => ` ${c}`),
  ].join('\n');
  const items = doc.get('receivers');
  if (isSeq(items)) items.items.forEach((node, i) => isMap(node) && ((node as YAMLMap).commentBefore = receiverComments[i]));
  return doc;
}

function message(v: unknown, at: string, p: Problems): { title: string; text: string } | undefined {
  if (v === undefined || v === null) return undefined;
  const m = asRecord(v);
  for (const k of Object.keys(m)) if (k !== 'title' && k !== 'text') p.errors.push(`${at}.${k}: not a message setting of prometheus-webhook-dingtalk`);
  // As the tool: a field left out takes the built-in default, not default_message's.
  return { title: typeof m.title === 'string' ? m.title : TOOL_DEFAULT_TITLE, text: typeof m.text === 'string' ? m.text : TOOL_DEFAULT_TEXT };
}

/**
 * The tool reads template globs relative to its working directory, which the config does not
 * record: the config's own directory is tried first, then ours; the path is printed absolute.
 */
async function templatePath(glob: string, configDir: string, cwd: string, i: number, p: Problems): Promise<string> {
  if (isAbsolute(glob)) {
    if (!(await expandGlob(glob, '/')).length) p.warnings.push(`templates[${i}]: ${glob} matches no file (yet)`);
    return glob;
  }
  for (const base of [configDir, cwd]) if ((await expandGlob(glob, base)).length) return resolve(base, glob);
  p.warnings.push(`templates[${i}]: ${glob} matches no file beside the config or here; written as ${resolve(configDir, glob)}`);
  return resolve(configDir, glob);
}

/** The files as the relay will load them, so what would stop its start-up is reported now. */
async function loadTemplates(globs: string[], p: Problems): Promise<TemplateSet | undefined> {
  try {
    return (await TemplateSet.load(globs)).dialect('prometheus-webhook-dingtalk');
  } catch (e) {
    p.errors.push(`templates: ${hint((e as Error).message)}`);
    return undefined;
  }
}

function checkText(set: TemplateSet | undefined, text: string, at: string, p: Problems) {
  if (!set) return;
  try {
    set.check(text);
  } catch (e) {
    p.errors.push(`${at}: ${hint((e as Error).message)}`);
  }
}

/** Sprig functions the relay leaves out on purpose, and why (README, "Coming from prometheus-webhook-dingtalk"). */
const LEFT_OUT: Record<string, string> = {
  env: 'it would put the relay\'s environment (its secrets) into messages',
  expandenv: 'it would put the relay\'s environment (its secrets) into messages',
  getHostByName: 'a DNS lookup per message',
};

function hint(message: string): string {
  const fn = /function "([^"]+)" not defined/.exec(message)?.[1];
  if (!fn) return message;
  return `${message} (a sprig function alert-relay does not provide${LEFT_OUT[fn] ? `: ${LEFT_OUT[fn]}` : ''}; see the README's list)`;
}
