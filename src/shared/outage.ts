/**
 * Whether an error means a store (Redis, MongoDB) did not answer, as opposed to a bug: such errors become a
 * "temporarily unavailable" answer (503 with Retry-After) instead of a 500. Recognised by the names and messages
 * the drivers use, so no driver is imported here.
 */
export function isDependencyOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (
    /^(MaxRetriesPerRequestError|Mongo(ose)?ServerSelectionError|MongoNetwork(Timeout)?Error|MongoNotConnectedError|MongoTopologyClosedError)$/.test(
      err.name,
    )
  )
    return true;
  // The last: mongoose without command buffering, before its first connection to MongoDB succeeded.
  return /Command timed out|Stream isn't writeable|Connection is closed|connect ECONNREFUSED|Reached the max retries per request|before initial connection is complete/.test(
    err.message,
  );
}
