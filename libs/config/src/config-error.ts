import { describeConstraint, flattenValidationErrors, ValidationIssue } from '@relay/models';
import type { ValidationError } from '@relay/models/class-validator';

export { joinPath } from '@relay/models';

/** `path` is e.g. `receivers[2].dingtalk_configs[0].url`, or '' for the file as a whole. */
export type ConfigIssue = ValidationIssue;

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

const CHANNEL_BLOCK = /_configs$/;

const NOT_A_MAPPING = 'must be a mapping';

/** Config problems read like the payload's, plus a pointed message for an unknown channel block. */
export function issuesFromValidation(errors: ValidationError[], supportedBlocks: string[]): ConfigIssue[] {
  const issues = flattenValidationErrors(errors, (kind, message, error, parent) => {
    if (kind === 'whitelistValidation' && CHANNEL_BLOCK.test(error.property) && /^receivers\[\d+\]$/.test(parent)) {
      return `${error.property} is not a channel alert-relay delivers to (it has ${supportedBlocks.join(', ')})`;
    }
    // An empty list entry (`- ` alone, or `receivers: [~]`) cannot mean anything; say it is empty.
    if (kind === 'nestedValidation') return error.value == null ? `${NOT_A_MAPPING}, not empty` : NOT_A_MAPPING;
    return describeConstraint(kind, message, error, parent);
  });
  // `receivers: 5` fails "must be a list" as well; "must be a mapping" beside it would contradict it.
  return issues.filter((issue) => !issue.message.startsWith(NOT_A_MAPPING) || !issues.some((other) => other !== issue && other.path === issue.path));
}
