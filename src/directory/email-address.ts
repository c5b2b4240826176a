import { z } from 'zod';
import { normaliseEmail } from './model.ts';

/**
 * A registered address as a person or an administrator may type it: spaces around it trimmed, then a plain address of
 * at most 254 characters, as the admin API checks it (`emailInput`, http/routes/admin-inputs.ts); stored normalised.
 * Here, in the domain, for the use cases that take an address from a person (account/request-email-change.ts).
 */
export const registeredEmail = z.string().trim().pipe(z.email().max(254)).transform(normaliseEmail);
