// `npm run db:indexes`: the Node.js version first, so that an old one stops with one line and exit code 2, then the command
// itself (scripts/commands/create-indexes.ts), imported only once the check has passed.
import { stopOnOldNode } from '../src/shared/node-version.ts';

stopOnOldNode();
await import('./commands/create-indexes.ts');
