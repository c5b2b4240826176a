import { z } from 'zod';

/** A reason, required where an action is irreversible or overrides someone (audited with the action). */
export const reasonInput = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const optionalReasonInput = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
