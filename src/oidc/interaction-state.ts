import type { UpstreamIdentity } from '../directory/model.ts';
import type { UpstreamTransaction } from '../federation/upstream-transaction.ts';

/** The first-login association step of an interaction: asking for the address, then waiting for the email. */
export interface AssociationStep {
  /** The registered address the person entered; set once they pressed "Continue". */
  email?: string;
  /** Epoch seconds of the last request for links: the resend cooldown counts from it. */
  requestedAt?: number;
  /** The person asked to associate (another) profile although some are associated already. */
  asking?: boolean;
  /** The links of `email` were asked for again (the page confirms they were sent again). */
  resent?: boolean;
  /** The last address links were requested for, and when (epoch seconds): the resend cooldown applies to it. */
  lastRequest?: { email: string; at: number };
  /**
   * The profiles the client admitted for the person when they asked to associate another: the step waits for one
   * that is not among them. Absent at a first login, where any admitted profile ends the wait.
   */
  before?: string[];
}

/**
 * What the broker keeps inside an oidc-provider Interaction between its own steps (docs/architecture.md §1): the
 * pending upstream round-trip, then the identity it produced and the association step. It lives under `result.broker`,
 * which oidc-provider carries but never interprets, and is replaced by the real login result when the interaction
 * finishes.
 */
export type BrokerInteractionState =
  | { step: 'upstream_pending'; transaction: UpstreamTransaction }
  | {
      step: 'identified';
      identity: UpstreamIdentity;
      remember: boolean;
      association?: AssociationStep;
      /** The upstream's ID token, handed to the broker session at login for signing out upstream later. */
      upstreamIdToken?: string;
    };

export function readBrokerState(result: unknown): BrokerInteractionState | undefined {
  const state = (result as { broker?: BrokerInteractionState } | undefined)?.broker;
  return state && (state.step === 'upstream_pending' || state.step === 'identified') ? state : undefined;
}

export function brokerResult(state: BrokerInteractionState): { broker: BrokerInteractionState } {
  return { broker: state };
}

/**
 * The upstream sign-in a login came from, carried in the finished interaction's result beside `login` and read once
 * oidc-provider has made the broker session (http/session-tracking.ts).
 */
export interface UpstreamSignInResult {
  id: string;
  subject: string;
  idToken?: string;
}

export function upstreamSignInOf(result: unknown): UpstreamSignInResult | undefined {
  const upstream = (result as { upstream?: UpstreamSignInResult } | undefined)?.upstream;
  return upstream && typeof upstream.id === 'string' && typeof upstream.subject === 'string' ? upstream : undefined;
}
