import { describe, expect, it } from '@jest/globals';
import { tracingWanted } from '../../src/observability/tracing-switch.ts';

// main.ts loads OpenTelemetry only when this says so (docs/decisions/0024).
describe('whether the broker traces', () => {
  it('is off without an OTLP endpoint, or with a blank one', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'profile-broker' })).toBe(false);
  });

  it('is on with the OTLP endpoint, or the traces endpoint alone', () => {
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });

  it('is off again with OTEL_SDK_DISABLED=true, as for any OpenTelemetry SDK', () => {
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(
      false,
    );
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' })).toBe(
      true,
    );
  });
});
