/**
 * Whether an error means a store (Redis, MongoDB) did not answer, as opposed to a bug: such errors become a
 * "temporarily unavailable" answer (503 with Retry-After) instead of a 500. Recognised by the names and messages
 * the drivers use, so no driver is imported here.
 */
export function isDependencyOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (
    /^(MaxRetriesPerRequestError|ClusterAllFailedError|Mongo(ose)?ServerSelectionError|MongoNetwork(Timeout)?Error|MongoNotConnectedError|MongoTopologyClosedError)$/.test(
      err.name,
    )
  )
    return true;
  // Mongoose without command buffering before its first connection to MongoDB succeeded; a Redis Cluster that has
  // no slot map yet, is failing over (CLUSTERDOWN, TRYAGAIN) or cannot be reached at all.
  return /Command timed out|Stream isn't writeable|Connection is closed|connect ECONNREFUSED|Reached the max retries per request|before initial connection is complete|Cluster isn't ready|None of startup nodes is available|Too many Cluster redirections|Failed to refresh slots cache|^CLUSTERDOWN|^TRYAGAIN/.test(
    err.message,
  );
}
