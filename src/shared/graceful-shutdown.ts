import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger.ts';

export interface ShutdownDeps {
  server: Server;
  logger: Logger;
  /** Not ready, yet still taking connections, this long first: a load balancer stops sending before it is refused. */
  graceSeconds: number;
  /** The whole stop may take this long; past it, the connections left are cut and the exit code is 1. */
  timeoutSeconds: number;
  /** The background queues take no new job and finish the running ones (after the requests: they may hand work over). */
  stopBackground(): Promise<void>;
  closeStores(): Promise<void>;
  /** With tracing on: export the spans still buffered (the stop's own among them). Waited for at most FLUSH_SECONDS. */
  flushTraces?(): Promise<void>;
  exit(code: number): void;
}

export interface GracefulShutdown {
  /** True from the first signal on: readiness answers 503. */
  readonly stopping: boolean;
  /** Runs the stop once; a second signal while it runs only says so. */
  stop(signal: string): Promise<void>;
}

/**
 * How long the last spans may take to leave. A collector that is down must not hold a stopping node until the whole
 * timeout passes and it exits 1: the spans are lost either way, the requests were all answered.
 */
const FLUSH_SECONDS = 3;

/**
 * Stopping without cutting anyone off. In order: not ready (a load balancer stops sending new requests here); after
 * the grace, new connections are refused and idle keep-alive connections closed; requests in flight finish, each
 * answered with `Connection: close` so the client's next request opens a connection to a node that is ready; the
 * background queues finish their running jobs; the stores close; with tracing on, the last spans are exported;
 * exit 0. Past the timeout: exit 1.
 */
export function createGracefulShutdown(deps: ShutdownDeps): GracefulShutdown {
  const { server, logger } = deps;
  let stopping = false;
  let phase = 'not started';
  // Each open connection with the response it serves last: responses still unfinished are marked to be the last on
  // their connection. Kept per connection (one listener when it first carries a request), not per response: a
  // listener made and removed for each response cost every token request (docs/decisions/0028).
  const connections = new Map<Socket, ServerResponse>();
  const inFlight = () => [...connections.values()].filter((res) => !res.writableEnded);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    if (!connections.has(socket)) socket.once('close', () => connections.delete(socket));
    connections.set(socket, res);
    if (stopping) closeAfter(res);
  });

  const stop = async (signal: string) => {
    if (stopping) {
      logger.info('shutdown.already_stopping', { signal, phase });
      return;
    }
    stopping = true;
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 100) / 10;
    const deadline = setTimeout(() => {
      logger.error('shutdown.timed_out', {
        phase,
        timeoutSeconds: deps.timeoutSeconds,
        requestsInFlight: inFlight().length,
      });
      server.closeAllConnections();
      deps.exit(1);
    }, deps.timeoutSeconds * 1000);
    for (const res of inFlight()) closeAfter(res);

    try {
      phase = 'grace';
      logger.info('shutdown.started', { signal, graceSeconds: deps.graceSeconds, timeoutSeconds: deps.timeoutSeconds });
      await new Promise((resolve) => setTimeout(resolve, deps.graceSeconds * 1000));

      phase = 'requests';
      // Node's close() also closes the idle keep-alive connections; the busy ones close after their response.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      logger.info('shutdown.listener_closed', { requestsInFlight: inFlight().length, seconds: seconds() });
      await closed;
      logger.info('shutdown.requests_finished', { seconds: seconds() });

      phase = 'background';
      await deps.stopBackground();
      logger.info('shutdown.background_stopped', { seconds: seconds() });

      phase = 'stores';
      await deps.closeStores();
      logger.info('shutdown.stores_closed', { seconds: seconds() });

      if (deps.flushTraces) {
        phase = 'traces';
        const flushed = await withinSeconds(deps.flushTraces(), FLUSH_SECONDS);
        logger.info(flushed ? 'shutdown.traces_flushed' : 'shutdown.traces_not_flushed', { seconds: seconds() });
      }
    } catch (err) {
      logger.error('shutdown.failed', { phase, message: (err as Error).message });
      clearTimeout(deadline);
      deps.exit(1);
      return;
    }
    logger.info('shutdown.complete', { seconds: seconds() });
    // Nothing is left to cut; an `exit` that does not end the process (a test's) must not see the deadline later.
    clearTimeout(deadline);
    deps.exit(0);
  };

  return {
    get stopping() {
      return stopping;
    },
    stop,
  };
}

/** Whether `work` settled within `seconds` (a failure counts as not done); never rejects. */
async function withinSeconds(work: Promise<void>, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), seconds * 1000)));
  const done = work.then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The response ends its connection (a header Node honours until the headers are sent). */
function closeAfter(res: ServerResponse) {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
