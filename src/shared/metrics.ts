/**
 * What the broker counts and times, as the code that does the work sees it. The Prometheus implementation
 * (observability/prometheus-metrics.ts) is made only when a metrics port is configured; everything else gets
 * `noMetrics`, so a broker without one does no bookkeeping at all. Label values passed here must come from a
 * bounded set (route templates, configured client and upstream ids, store method names), never from a request.
 */
export interface Metrics {
  /** Whether anything is recorded: wrappers that would only add a timer skip themselves when this is false. */
  readonly enabled: boolean;
  /** One answered HTTP request of the public listener. */
  httpRequest(request: { method: string; route: string; status: number; seconds: number }): void;
  /** A person signed in to a portal (at the upstream, or from the broker session), or was refused by it. */
  signIn(outcome: SignInOutcome, labels: { client: string; upstream: string }): void;
  /** One HTTP call to an upstream identity provider, and whether it failed. */
  upstreamCall(call: { upstream: string; endpoint: UpstreamEndpoint; seconds: number; error?: string }): void;
  /** A step of the association flow (seed: the first login). */
  association(event: AssociationEvent): void;
  /** What became of one attempt to send a message of `kind` (a template name). */
  mail(outcome: 'sent' | 'retried' | 'failed', kind: string): void;
  /** What became of one attempt to deliver a webhook or a back-channel logout token. */
  delivery(channel: 'webhook' | 'backchannel', outcome: 'delivered' | 'retried' | 'failed'): void;
  /** One store operation, how long it took and whether it threw. */
  storeCall(call: { store: string; operation: string; seconds: number; failed: boolean }): void;
  /** A queue whose depth is read at each scrape: messages waiting or being sent, and messages given up on. */
  watchQueue(queue: string, depth: () => Promise<{ pending: number; failed: number }>): void;
}

export type SignInOutcome = 'signed_in' | 'single_sign_on' | 'refused';
export type UpstreamEndpoint = 'discovery' | 'token' | 'userinfo' | 'jwks' | 'other';
export type AssociationEvent = 'requested' | 'link_issued' | 'redeemed' | 'refused' | 'expired';

/** Records nothing: the broker without a metrics port, tests, and the command line. */
export const noMetrics: Metrics = {
  enabled: false,
  httpRequest: () => undefined,
  signIn: () => undefined,
  upstreamCall: () => undefined,
  association: () => undefined,
  mail: () => undefined,
  delivery: () => undefined,
  storeCall: () => undefined,
  watchQueue: () => undefined,
};
