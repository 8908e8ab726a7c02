// Lint catches what the type checker does not: unused code, floating promises in handlers, etc.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CLASS_VALIDATOR = { name: 'class-validator', message: 'import from @relay/models/class-validator, which loads only the decorators the relay uses', allowTypeImports: true };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Test doubles and JSON from platforms are loosely typed on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // class-validator's index loads all its decorators and ~250 ms of dependencies at every start.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/models/src/class-validator.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [CLASS_VALIDATOR] }],
    },
  },
  {
    // What check-config and `template render` load: no Nest, BullMQ or Redis client, so a command
    // answers in a few hundred milliseconds (the worker machinery takes a second to load).
    files: ['libs/channels/src/**/*.ts', 'libs/runtime/src/load-runtime.ts', 'apps/cli/src/check-config.command.ts', 'apps/cli/src/template-render.command.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@relay/delivery', message: 'import from @relay/delivery/platform: the barrel loads Nest and BullMQ', allowTypeImports: true },
            { name: '@relay/runtime', message: 'import from @relay/runtime/load-runtime: the barrel loads Nest', allowTypeImports: true },
            { name: 'bullmq', allowTypeImports: true },
            { name: 'ioredis', allowTypeImports: true },
            CLASS_VALIDATOR,
          ],
          patterns: [{ group: ['@nestjs/*'], allowTypeImports: true }],
        },
      ],
    },
  },
);
