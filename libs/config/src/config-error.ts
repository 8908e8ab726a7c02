import { ValidationError } from 'class-validator';

export interface ConfigIssue {
  /** e.g. `receivers[2].dingtalk_configs[0].url`; '' for the file as a whole. */
  path: string;
  message: string;
}

/** Every problem of a config file at once, each as `file: path: reason`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number' || /^\d+$/.test(key)) return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

const CHANNEL_BLOCK = /_configs$/;

/** Turns class-validator's tree into one issue per failed constraint, with Alertmanager-style paths. */
export function issuesFromValidation(errors: ValidationError[], parent = '', supportedBlocks: string[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    for (const [kind, raw] of Object.entries(error.constraints ?? {})) {
      out.push({ path, message: reason(kind, raw, error, parent, supportedBlocks) });
    }
    if (error.children?.length) out.push(...issuesFromValidation(error.children, path, supportedBlocks));
  }
  return out;
}

function reason(kind: string, raw: string, error: ValidationError, parent: string, supportedBlocks: string[]): string {
  if (kind === 'whitelistValidation') {
    if (CHANNEL_BLOCK.test(error.property) && /^receivers\[\d+\]$/.test(parent)) {
      return `${error.property} is not a channel alert-relay delivers to (it has ${supportedBlocks.join(', ')})`;
    }
    return 'is not a known field';
  }
  if (kind === 'nestedValidation') return 'must be a mapping (or a list of mappings)';
  // class-validator starts its messages with the property name; the path already says it.
  const prefix = `${error.property} `;
  return raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
}
