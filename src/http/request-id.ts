import { randomUUID } from 'node:crypto';

/** At most this long, and only these characters: enough for UUIDs, ULIDs and trace ids, nothing to inject. */
const REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header): version, trace id,
 * parent id, flags, lower-case hex. A later version may append fields after a dash; version ff is invalid.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The id a request is logged and audited under: the caller's `X-Request-Id` when it is a plausible id, else the
 * trace id of its `traceparent`, else a new one. A header that is too long or holds other characters is ignored,
 * not trimmed: a log line never carries what the caller chose to put there beyond an id.
 */
export function requestIdFor(headers: { requestId?: string; traceparent?: string }): string {
  if (headers.requestId !== undefined && REQUEST_ID.test(headers.requestId)) return headers.requestId;
  const traceId = headers.traceparent === undefined ? undefined : traceIdOf(headers.traceparent);
  return traceId ?? randomUUID();
}

/** The trace id of a valid `traceparent`, else undefined. */
export function traceIdOf(traceparent: string): string | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined;
  return traceId;
}
