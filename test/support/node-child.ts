import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment every `node` process the tests start gets before its own settings: PATH, and one compile cache for
 * all of them (NODE_COMPILE_CACHE). A broker process or an admin command compiles the same few hundred modules each
 * time; with the cache it reads V8's code for them instead, and starts in about half the CPU time. Node checks each
 * entry against the file's content, so an edited source is compiled afresh.
 */
export function nodeChildEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: join(tmpdir(), 'profile-broker-node-compile-cache') };
}
