import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createInteractionSteps } from '../../src/http/steps/interaction-steps.ts';
import { route } from '../../src/http/steps/route.ts';
import type { PageDeps } from '../../src/http/use-cases.ts';

const steps = createInteractionSteps({} as PageDeps);
const form = steps.form(z.object({ csrf: z.string() }));

describe('a route’s steps', () => {
  it('run in the order the route lists them, then the handler', () => {
    const chain = route([steps.body, steps.interaction, form, steps.csrf, steps.portal, steps.person], () => undefined);
    expect(chain).toHaveLength(7);
    expect(chain.slice(0, 6)).toEqual([steps.body, steps.interaction, form, steps.csrf, steps.portal, steps.person]);
  });
});
