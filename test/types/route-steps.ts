/**
 * Checked by the type checker (npm run typecheck), not run: a route whose steps are out of order does not compile.
 * Each `@ts-expect-error` fails the type check if the line below it ever compiles.
 */
import { z } from 'zod';
import { createInteractionSteps } from '../../src/http/steps/interaction-steps.ts';
import { route } from '../../src/http/steps/route.ts';
import type { PageDeps } from '../../src/http/use-cases.ts';

const steps = createInteractionSteps({} as PageDeps);
const form = steps.form(z.object({ csrf: z.string() }));
const handler = () => undefined;

// In order: compiles.
route([steps.body, steps.interaction, form, steps.csrf, steps.portal, steps.person], handler);
// @ts-expect-error the CSRF check reads the form, which comes after it
route([steps.body, steps.interaction, steps.csrf, form], handler);
// @ts-expect-error the person step reads the portal, which no step adds
route([steps.interaction, steps.person], handler);
// @ts-expect-error the portal step reads the interaction, which comes after it
route([steps.portal, steps.interaction], handler);
