import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ADAPTERS = ['**/http/**', '**/cli/**', '**/stores/**', '**/demo/**'];
const ROOT = ['**/services.ts', '**/main.ts'];
const DOMAIN = [
  'account',
  'association',
  'audit',
  'clients',
  'config',
  'directory',
  'federation',
  'mail',
  'oidc',
  'sessions',
  'webhooks',
].map((folder) => `**/${folder}/**`);

// Tracing is loaded only when it is configured (docs/decisions/0024): OpenTelemetry and its loader hook are imported
// in observability/ alone, whose trace-ids.ts and request-route.ts are what the rest of the broker may use.
const OPENTELEMETRY = ['@opentelemetry/*', 'import-in-the-middle'];
const OBSERVABILITY = 'src/observability/**';

/** One lint block per folder, each naming the imports it refuses (a file matches one block only). */
const layers = (rules) =>
  Object.entries(rules).map(([files, patterns]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: files === OBSERVABILITY ? patterns : [...patterns, ...OPENTELEMETRY] },
      ],
    },
  }));

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
  // Layering (docs/architecture.md §1): every folder of src/ says what it may not import. The domain folders hold the
  // use cases and the interfaces of what they need; the adapters (http/, cli/, stores/, demo/) and the composition
  // root (services.ts, main.ts) depend on them, never the other way round.
  ...layers({
    'src/{account,association,audit,clients,config,directory,federation,mail,oidc,sessions,webhooks}/**': [
      ...ADAPTERS,
      ...ROOT,
      '**/admin/**',
    ],
    // Helpers that know nothing of the domain.
    'src/shared/**': [...ADAPTERS, ...ROOT, ...DOMAIN, '**/admin/**'],
    // Tracing (the SDK's start, which main.ts loads only when configured, and the two seams the broker calls) and
    // metrics (prom-client, and wrappers that count around the domain's interfaces and the chosen stores, which the
    // composition root applies): no adapter of the edge, nothing of the composition root.
    [OBSERVABILITY]: ['**/http/**', '**/cli/**', '**/demo/**', ...ROOT, '**/admin/**'],
    // Message catalogues and the choice of a language: words for everyone, knowing nothing of who asks.
    'src/i18n/**': [...ADAPTERS, ...ROOT, ...DOMAIN, '**/admin/**'],
    // Administration's use cases, bound once for the two adapters that run them.
    'src/admin/**': [...ADAPTERS, ...ROOT],
    // The HTTP layer gets bound use cases: no store, no command line, and no audit writing of its own.
    'src/http/**': ['**/stores/**', '**/cli/**', '**/demo/**', ...ROOT, '**/audit/audit-log.ts'],
    // The command line is an adapter beside http/ over the same bound use cases.
    'src/cli/**': ['**/http/**', '**/stores/**', '**/demo/**', ...ROOT],
    // Stores implement the domain's interfaces and know nothing of who calls them.
    'src/stores/**': ['**/http/**', '**/cli/**', '**/admin/**', ...ROOT],
    // The demo plays outside parties (docs/decisions/0004): it renders with http/views.ts and nothing else of the
    // broker's edge.
    'src/demo/**': ['**/http/**', '!**/http/views.ts', '**/cli/**', '**/admin/**', ...ROOT],
  }),
);
