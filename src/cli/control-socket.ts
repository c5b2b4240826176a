import { existsSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { CommandResult } from './commands.ts';

/** One command line sent to the running broker, who typed it, and the language of their terminal (a BCP 47 tag). */
export interface SocketRequest {
  argv: string[];
  operator: string;
  language?: string;
}

/**
 * Where the embedded demo listens for `npm run admin` (config admin.socketPath): by default in the user's own
 * runtime directory when there is one, else the temporary directory with the user's id in the name.
 */
export function adminSocketPath(config: Config): string {
  if (config.admin.socketPath) return config.admin.socketPath;
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime
    ? join(runtime, `profile-broker-${config.port}.sock`)
    : join(tmpdir(), `profile-broker-${process.getuid?.() ?? 0}-${config.port}.sock`);
}

/** A socket someone else made at our path (the temporary directory is shared) must never receive our commands. */
function ownedByAnother(path: string): boolean {
  const uid = process.getuid?.();
  return uid !== undefined && existsSync(path) && statSync(path).uid !== uid;
}

const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * The embedded demo keeps its directory, clients and links in its own memory, so `npm run admin` reaches them
 * through a local socket: one JSON line in (the command line), one JSON line out (what to print, the exit code).
 * The commands run in the broker with the same code as everywhere else. The socket is the user's own (0600): the
 * file system decides who may administer, as it decides who may read the broker's files.
 */
export async function serveAdminSocket(
  path: string,
  run: (request: SocketRequest) => Promise<CommandResult>,
): Promise<Server> {
  if (ownedByAnother(path)) throw new Error(`${path} belongs to another user`);
  // A socket file left by a broker that did not stop cleanly: nobody answers on it, so it is replaced.
  if (existsSync(path) && !(await answers(path))) unlinkSync(path);
  const server = createServer((socket) => {
    // A client that connects and never sends its line is let go.
    socket.setTimeout(10_000, () => socket.destroy());
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) {
        socket.end(`${JSON.stringify({ exitCode: 2, stdout: '', stderr: 'command too long\n' })}\n`);
        return;
      }
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      socket.pause();
      let request: SocketRequest;
      try {
        request = JSON.parse(buffer.slice(0, end)) as SocketRequest;
        if (
          !Array.isArray(request.argv) ||
          !request.argv.every((a) => typeof a === 'string') ||
          typeof request.operator !== 'string'
        )
          throw new Error('malformed');
      } catch {
        socket.end(`${JSON.stringify({ exitCode: 2, stdout: '', stderr: 'malformed request\n' })}\n`);
        return;
      }
      // The audit log records the operator: a name as a system user name looks, or "unknown".
      const operator = /^[A-Za-z0-9._-]{1,64}$/.test(request.operator) ? request.operator : 'unknown';
      // The terminal's language tag, for the catalogue to match: anything malformed reads as the default language.
      const language = typeof request.language === 'string' ? request.language : undefined;
      void run({ argv: request.argv, operator, ...(language ? { language } : {}) })
        .catch((err: Error) => ({
          exitCode: 3,
          stdout: '',
          stderr: `the broker could not run the command: ${err.message}\n`,
        }))
        .then((result) => socket.end(`${JSON.stringify(result)}\n`));
    });
  });
  // Created 0600 (umask for the moment of creation), so nobody else can connect even briefly.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  return server;
}

/** Sends a command line to the running broker; undefined when none listens at `path`. */
export function askAdminSocket(path: string, request: SocketRequest): Promise<CommandResult | undefined> {
  return new Promise((resolve, reject) => {
    if (ownedByAnother(path)) {
      reject(new Error(`${path} belongs to another user; refusing to send it commands (set ADMIN_SOCKET)`));
      return;
    }
    const socket = createConnection(path);
    // An import of 50,000 rows takes seconds; a broker that says nothing for minutes is not answering.
    socket.setTimeout(300_000, () => socket.destroy(new Error(`no answer from the broker at ${path}`)));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(reply) as CommandResult);
      } catch {
        reject(new Error(`unreadable answer from the broker at ${path}`));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(undefined);
      else reject(err);
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
