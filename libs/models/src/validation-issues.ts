import type { ValidationError } from './class-validator';

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

/**
 * Turns class-validator's error tree into one issue per failed constraint, with readable paths,
 * parents before their children. Iterative, and pushing issues one at a time: a spread of a
 * subtree's issues into push() overflowed the stack with a few hundred thousand of them.
 */
export function flattenValidationErrors(errors: ValidationError[], describe: DescribeConstraint = withoutProperty, parent = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  // Pending errors with their parent paths, last to visit first, so the issues keep the tree's order.
  const pending: Array<{ error: ValidationError; parent: string }> = [];
  const pushChildren = (children: ValidationError[], parentPath: string) => {
    for (let i = children.length - 1; i >= 0; i--) pending.push({ error: children[i], parent: parentPath });
  };
  pushChildren(errors, parent);
  while (pending.length > 0) {
    const { error, parent: parentPath } = pending.pop()!;
    const path = joinPath(parentPath, error.property);
    for (const [kind, message] of Object.entries(error.constraints ?? {})) {
      out.push({ path, message: describe(kind, message, error, parentPath) ?? withoutProperty(kind, message, error, parentPath) });
    }
    if (error.children?.length) pushChildren(error.children, path);
  }
  return out;
}

export { withoutProperty as describeConstraint };
