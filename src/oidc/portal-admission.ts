import type { AdmissionPolicy } from '../directory/eligibility.ts';
import type { ProfileKinds } from '../directory/profile-kinds.ts';
import { admissionPolicyOf, upstreamIdsOf } from './client-policy.ts';

/** What a portal admits, as `profiles.account` asks it: the admission policy and the upstreams it allows. */
export interface PortalAdmission {
  policy: AdmissionPolicy;
  upstreamIds: string[] | undefined;
}

/** oidc-provider's client, of which only its metadata is read. */
interface ProviderClient {
  metadata(): Record<string, unknown>;
}

/**
 * A client's admission, worked out once per client object. oidc-provider's `client.metadata()` builds the whole
 * metadata afresh on each call, and every refresh, userinfo and sign-in asked for it; the provider makes a new client
 * object when a client's stored metadata changes, so an answer kept on the object is never stale.
 */
export function portalAdmissions(kinds: ProfileKinds): (client: ProviderClient) => PortalAdmission {
  const known = new WeakMap<ProviderClient, PortalAdmission>();
  return (client) => {
    let admission = known.get(client);
    if (!admission) {
      const metadata = client.metadata();
      admission = { policy: admissionPolicyOf(metadata, kinds), upstreamIds: upstreamIdsOf(metadata) };
      known.set(client, admission);
    }
    return admission;
  };
}
