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
    // machines/ hold pure state charts: I/O enters only through provided implementations. An
    // allowlist, so a new I/O module is refused without anyone remembering to list it here.
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(?!xstate$|\./[^/]+\.ts$|\.\./src/errors\.ts$|\.\./src/invoice/[^/]+\.ts$)`,
              message:
                'machines/ may import only xstate, other machines, src/errors.ts and the pure domain types in src/invoice/: do I/O in src/ and provide it.',
            },
          ],
        },
      ],
    },
  },
  { files: ['src/cli/**/*.ts', 'bin/**', 'bench/**', 'scripts/**', 'test/**'], rules: { 'no-console': 'off' } },
);
