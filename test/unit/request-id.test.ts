import { describe, expect, it } from '@jest/globals';
import { requestIdFor, traceIdOf } from '../../src/http/request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('the id a request is logged under', () => {
  it("takes the caller's X-Request-Id when it is a plausible id", () => {
    expect(requestIdFor({ requestId: 'req-42' })).toBe('req-42');
    expect(requestIdFor({ requestId: '01HZX3J6V7Q8R9S0T1U2V3W4X5' })).toBe('01HZX3J6V7Q8R9S0T1U2V3W4X5');
    expect(requestIdFor({ requestId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6' })).toBe(
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    );
    expect(requestIdFor({ requestId: 'x'.repeat(128) })).toBe('x'.repeat(128));
  });

  it('ignores an oversized or malformed X-Request-Id, and makes one instead', () => {
    for (const requestId of [
      'x'.repeat(129),
      '',
      'two words',
      'id\nforged-line',
      '<script>',
      'id"quote',
      'a,b',
      'ünïcode',
      '../../etc/passwd%00',
    ]) {
      const id = requestIdFor({ requestId });
      expect(id).not.toBe(requestId);
      expect(id).toMatch(UUID);
    }
  });

  it('uses the trace id of a W3C traceparent when there is no usable X-Request-Id', () => {
    expect(requestIdFor({ traceparent: TRACEPARENT })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(requestIdFor({ requestId: 'bad id', traceparent: TRACEPARENT })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(requestIdFor({ requestId: 'req-42', traceparent: TRACEPARENT })).toBe('req-42');
  });

  it('reads traceparent as the specification says: lower-case hex, no zero ids, version ff invalid', () => {
    expect(traceIdOf(TRACEPARENT)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    // A later version may add fields; version 00 may not.
    expect(traceIdOf(`01${TRACEPARENT.slice(2)}-more`)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(`${TRACEPARENT}-more`)).toBeUndefined();
    expect(traceIdOf(`ff${TRACEPARENT.slice(2)}`)).toBeUndefined();
    expect(traceIdOf(TRACEPARENT.toUpperCase())).toBeUndefined();
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdOf('not a traceparent')).toBeUndefined();
    expect(requestIdFor({ traceparent: 'garbage' })).toMatch(UUID);
  });

  it('makes a new id for each request that brings none', () => {
    const a = requestIdFor({});
    expect(a).toMatch(UUID);
    expect(requestIdFor({})).not.toBe(a);
  });
});
