/**
 * The oldest Node.js the broker runs on: 22.18 is the first 22.x that strips TypeScript types without a flag, and
 * `node src/main.ts` relies on that. Older Node.js refuses `.ts` before any of our code runs (Node 20:
 * ERR_UNKNOWN_FILE_EXTENSION); 22.6 to 22.17 run it only with --experimental-strip-types, and this check then stops
 * them with a clear line.
 *
 * Keep this file to what those versions can run: type annotations only, no import of other modules.
 */
export const MINIMUM_NODE = { major: 22, minor: 18 };

/** One line saying what is installed and what to install, when `installed` (process.versions.node) is too old. */
export function nodeVersionProblem(installed: string): string | undefined {
  const [major = 0, minor = 0] = installed.split('.').map((part) => Number.parseInt(part, 10) || 0);
  if (major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor)) return undefined;
  const wanted = `${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`;
  return (
    `The broker needs Node.js ${wanted} or later, and this is Node.js ${installed}: install Node.js 24 LTS ` +
    `(or at least ${wanted}; e.g. \`nvm install 24\`, or the node:24 image), or use \`npm start\`, which brings its own.`
  );
}

/**
 * The first statement of `node src/main.ts` and of every operator script: on too old a Node.js, one line and exit
 * code 2. Whoever calls it imports the rest dynamically afterwards, since static imports would all load first.
 */
export function stopOnOldNode(): void {
  const problem = nodeVersionProblem(process.versions.node);
  if (!problem) return;
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
