// `npm run db:seed`: the Node.js version first, so that an old one stops with one line and exit code 2, then the command
// itself (scripts/commands/seed-directory.ts), imported only once the check has passed.
import { stopOnOldNode } from '../src/shared/node-version.ts';

stopOnOldNode();
await import('./commands/seed-directory.ts');
