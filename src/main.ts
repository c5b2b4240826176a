// `node src/main.ts`: the Node.js version is checked before anything else is even loaded, so that an old Node.js
// stops with one clear line (exit code 2) rather than an error from deep inside a library. The broker itself is
// run-broker.ts: load config → create services → create the HTTP app → listen.
import { stopOnOldNode } from './shared/node-version.ts';

stopOnOldNode();
const { runBroker } = await import('./run-broker.ts');
await runBroker();
