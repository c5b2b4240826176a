// Jest runs the TypeScript sources as native ESM (DESIGN.md §8): Babel only strips types,
// so what runs under test is what `node src/main.ts` runs.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': 'babel-jest' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
  // Each file starts its own broker on an ephemeral port; two workers fit the two-core machines.
  maxWorkers: 2,
};
