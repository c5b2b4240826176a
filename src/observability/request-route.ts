/**
 * Tells the trace which route handled the request, as the access line names it (access-log.ts): the route template
 * (`/interaction/:uid`), never the path. The server span is then called `GET /interaction/:uid` and carries
 * `http.route`, so a tracing backend groups requests by route. Nothing happens without tracing: like trace-ids.ts,
 * this file imports nothing from OpenTelemetry, and start-tracing.ts installs the real recorder.
 */
let recorder: (route: string) => void = () => undefined;

export function recordRequestRoute(route: string): void {
  recorder(route);
}

/** Called once by start-tracing.ts. */
export function recordRequestRouteWith(record: (route: string) => void): void {
  recorder = record;
}
