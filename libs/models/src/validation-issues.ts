import type { ValidationError } from 'class-validator';

export interface ValidationIssue {
  /** e.g. `alerts[0].startsAt` or `receivers[2].dingtalk_configs[0].url`. */
  path: string;
  message: string;
}

export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number' || /^\d+$/.test(key)) return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** How one failed constraint reads; by default class-validator's message without the leading property name. */
export type DescribeConstraint = (kind: string, message: string, error: ValidationError, parentPath: string) => string;

const withoutProperty: DescribeConstraint = (kind, message, error) => {
  if (kind === 'whitelistValidation') return 'is not a known field';
  if (kind === 'nestedValidation') return 'must be an object (or a list of objects)';
  const prefix = `${error.property} `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
};

/** Turns class-validator's error tree into one issue per failed constraint, with readable paths. */
export function flattenValidationErrors(errors: ValidationError[], describe: DescribeConstraint = withoutProperty, parent = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    for (const [kind, message] of Object.entries(error.constraints ?? {})) {
      out.push({ path, message: describe(kind, message, error, parent) ?? withoutProperty(kind, message, error, parent) });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, describe, path));
  }
  return out;
}

export { withoutProperty as describeConstraint };
