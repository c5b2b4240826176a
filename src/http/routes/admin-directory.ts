import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ADMIN_SCOPES } from '../../admin/scopes.ts';
import type { AdminOperations } from '../../admin/admin-operations.ts';
import { parseCsvImport, parseJsonImport } from '../../directory/import-file.ts';
import { PROFILE_KINDS, PROFILE_ROLES } from '../../directory/model.ts';
import { nameText } from '../../directory/name-text.ts';
import { actorOf, requireScope } from '../admin-auth.ts';
import { jsonBody } from '../json-body.ts';
import { parseInput } from '../validate.ts';
import { readImportBody } from '../import-body.ts';
import { organisationView, profileView } from '../../directory/directory-views.ts';
import { pageQuery } from '../../shared/page-query.ts';
import { optionalReasonInput } from './admin-views.ts';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64');
const status = z.enum(['active', 'disabled']);
/** People paste addresses with spaces around them; they are trimmed before they are checked (and stored lower-case). */
const email = z.string().trim().pipe(z.email().max(254));

const organisationFields = {
  account_number: z.string().trim().min(1).max(64),
  name: nameText(200),
  kind: z.enum(PROFILE_KINDS),
  contract_ends_on: z.iso.date().nullable().optional(),
};
const organisationInput = z.strictObject({ id: id.optional(), ...organisationFields });
const organisationUpdate = z.strictObject(organisationFields);

const profileInput = z.strictObject({
  id: id.optional(),
  organisation_id: id,
  email,
  display_name: nameText(200),
  role: z.enum(PROFILE_ROLES).optional(),
  status: status.optional(),
  /** Emails the person an association link at once ("Add New Professionals" then "Send Invite E-mail"). */
  send_invite: z.boolean().optional(),
});
const profileUpdate = z.strictObject({ email, display_name: nameText(200) });

const organisationQuery = z.strictObject({
  kind: z.enum(PROFILE_KINDS).optional(),
  status: status.optional(),
  q: z.string().min(1).max(200).optional(),
  ...pageQuery,
});
const profileQuery = z.strictObject({
  organisation_id: id.optional(),
  email: z.string().min(1).max(254).optional(),
  role: z.enum(PROFILE_ROLES).optional(),
  status: status.optional(),
  q: z.string().min(1).max(200).optional(),
  ...pageQuery,
});
const importQuery = z.strictObject({ dry_run: z.enum(['true', 'false']).default('false') });

const organisationValues = (input: z.output<typeof organisationUpdate>) => ({
  accountNumber: input.account_number,
  name: input.name,
  kind: input.kind,
  ...(input.contract_ends_on ? { contractEndsOn: input.contract_ends_on } : {}),
});

/** /admin/api/v1/directory: organisations, profiles and bulk imports (scope admin:directory). */
export function adminDirectoryRoutes(directory: AdminOperations['directory']): Router {
  const router = new Router({ prefix: '/directory' });
  router.use(requireScope(ADMIN_SCOPES.directory));
  // Organisations and profiles take JSON; an import reads its own body (CSV or JSON, up to 10 MB).
  router.use(['/organisations', '/profiles'], jsonBody);
  const query = <S extends z.ZodType>(schema: S, ctx: Context) => parseInput(schema, ctx.query, 'query');

  router.get('/organisations', async (ctx) => {
    const { limit, after, ...filter } = query(organisationQuery, ctx);
    const page = await directory.listOrganisations(filter, { limit, after });
    ctx.body = { organisations: page.items.map(organisationView), next: page.next ?? null };
  });
  router.post('/organisations', async (ctx) => {
    const input = parseInput(organisationInput, ctx.request.body, 'organisation');
    ctx.status = 201;
    ctx.body = organisationView(
      await directory.createOrganisation(actorOf(ctx), {
        ...(input.id ? { id: input.id } : {}),
        ...organisationValues(input),
      }),
    );
  });
  router.get('/organisations/:id', async (ctx) => {
    ctx.body = organisationView(await directory.getOrganisation(ctx.params.id!));
  });
  router.put('/organisations/:id', async (ctx) => {
    const input = parseInput(organisationUpdate, ctx.request.body, 'organisation');
    ctx.body = organisationView(
      await directory.updateOrganisation(actorOf(ctx), ctx.params.id!, organisationValues(input)),
    );
  });
  for (const [action, next] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    router.post(`/organisations/:id/${action}`, async (ctx) => {
      const { reason } = parseInput(optionalReasonInput, ctx.request.body ?? {}, 'request');
      ctx.body = organisationView(await directory.setOrganisationStatus(actorOf(ctx), ctx.params.id!, next, reason));
    });
    router.post(`/profiles/:id/${action}`, async (ctx) => {
      const { reason } = parseInput(optionalReasonInput, ctx.request.body ?? {}, 'request');
      ctx.body = profileView(await directory.setProfileStatus(actorOf(ctx), ctx.params.id!, next, reason));
    });
  }

  router.get('/profiles', async (ctx) => {
    const { limit, after, organisation_id: organisationId, ...filter } = query(profileQuery, ctx);
    const page = await directory.listProfiles(
      { ...filter, ...(organisationId ? { organisationId } : {}) },
      { limit, after },
    );
    ctx.body = { profiles: page.items.map(profileView), next: page.next ?? null };
  });
  router.post('/profiles', async (ctx) => {
    const input = parseInput(profileInput, ctx.request.body, 'profile');
    const profile = await directory.createProfile(
      actorOf(ctx),
      {
        ...(input.id ? { id: input.id } : {}),
        organisationId: input.organisation_id,
        email: input.email,
        displayName: input.display_name,
        ...(input.role ? { role: input.role } : {}),
        ...(input.status ? { status: input.status } : {}),
      },
      { invite: input.send_invite },
    );
    ctx.status = 201;
    ctx.body = profileView(profile);
  });
  router.get('/profiles/:id', async (ctx) => {
    ctx.body = profileView(await directory.getProfile(ctx.params.id!));
  });
  router.put('/profiles/:id', async (ctx) => {
    const input = parseInput(profileUpdate, ctx.request.body, 'profile');
    ctx.body = profileView(
      await directory.updateProfile(actorOf(ctx), ctx.params.id!, {
        email: input.email,
        displayName: input.display_name,
      }),
    );
  });

  router.post('/imports', async (ctx) => {
    const { dry_run: dryRun } = query(importQuery, ctx);
    const { content, format } = await readImportBody(ctx);
    const file = format === 'csv' ? await parseCsvImport(content) : await parseJsonImport(content);
    ctx.body = await directory.import(actorOf(ctx), file, { dryRun: dryRun === 'true', format });
  });
  return router;
}
