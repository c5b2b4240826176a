// Jest runs the TypeScript sources as native ESM (docs/architecture.md §6): Babel only strips types, so what runs under
// test is what `node src/main.ts` runs. Three projects: everything on the embedded memory stores; the end-to-end
// flows again on the production stores (a real Redis and a MongoDB-protocol server, started once for the run); and
// several broker processes with stores stopped, slowed or killed mid-flow (each file starts its own servers).
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': 'babel-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

export default {
  // Each file starts its own broker on an ephemeral port. Three workers on the two-core machines CI has: many tests
  // spend part of their time waiting (a broker process starting, a queue recovering a job, a browser), and a third
  // worker fills those gaps. Measured idle and fully loaded (docs/architecture.md §7).
  maxWorkers: 3,
  // A bound for a hung test, not a speed check: a broker starting on a cluster while other work shares the two cores
  // has taken over 20 s.
  testTimeout: 60000,
  // The longest files first, so that neither worker is left with one at the end (see the file for why not jest's own).
  testSequencer: '<rootDir>/test/support/longest-first-sequencer.js',
  projects: [
    {
      ...base,
      displayName: 'memory stores',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/test/multi-node/', '/test/faults/', '/test/stores/redis-cluster.test.ts'],
    },
    // Several broker processes, and stores stopped and restarted: each test file starts its own servers.
    { ...base, displayName: 'nodes and faults', testMatch: ['<rootDir>/test/{multi-node,faults}/**/*.test.ts'] },
    {
      ...base,
      displayName: 'production stores',
      testMatch: [
        '<rootDir>/test/flows/**/*.test.ts',
        '<rootDir>/test/association/{first-login,links-and-limits,lock-out,enumeration}.test.ts',
        '<rootDir>/test/admin/**/*-api.test.ts',
        '<rootDir>/test/account/*-api.test.ts',
        '<rootDir>/test/account/account-console.test.ts',
        '<rootDir>/test/webhooks/*-api.test.ts',
      ],
      globalSetup: '<rootDir>/test/support/shared-stores-setup.ts',
      globalTeardown: '<rootDir>/test/support/shared-stores-teardown.ts',
      setupFiles: ['<rootDir>/test/support/use-shared-stores.ts'],
    },
    // The flows and the association suites again with Redis Cluster (three masters, a replica each) as REDIS_URL, and
    // every Redis store's contract on it: a script or MULTI across slots fails there.
    {
      ...base,
      displayName: 'redis cluster',
      testMatch: [
        '<rootDir>/test/flows/**/*.test.ts',
        '<rootDir>/test/association/*.test.ts',
        '<rootDir>/test/stores/redis-cluster.test.ts',
      ],
      globalSetup: '<rootDir>/test/support/redis-cluster-setup.ts',
      globalTeardown: '<rootDir>/test/support/shared-stores-teardown.ts',
      setupFiles: ['<rootDir>/test/support/use-cluster-stores.ts'],
    },
  ],
};
