/**
 * Marks a server none of whose requests is traced: the metrics listener (metrics-server.ts), scraped every few
 * seconds, whose queue-depth reads would otherwise be Redis spans under a root span of their own. Its own file, so
 * that the metrics listener sets it without loading OpenTelemetry (instrumentations.ts reads it).
 */
export const UNTRACED_SERVER = Symbol.for('profile-broker.untraced-server');
