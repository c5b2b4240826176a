import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The one script the broker serves to browsers.
    files: ['views/assets/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Layering (docs/architecture.md §1): domain folders never reach into the adapters (http/, cli/), stores/ or the
    // composition root.
    files: [
      'src/admin/**',
      'src/association/**',
      'src/audit/**',
      'src/clients/**',
      'src/config/**',
      'src/directory/**',
      'src/federation/**',
      'src/mail/**',
      'src/oidc/**',
      'src/shared/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/http/**', '**/cli/**', '**/stores/**', '**/services.ts', '**/demo/**'] },
      ],
    },
  },
  {
    // The command line is an adapter beside http/: it gets the bound use cases, never the HTTP layer or the stores.
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/http/**', '**/stores/**', '**/services.ts', '**/demo/**'] }],
    },
  },
);
