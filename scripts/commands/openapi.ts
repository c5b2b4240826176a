/**
 * Writes the OpenAPI documents of the admin API (src/admin/openapi.json) and the account API
 * (src/account/openapi.json) from the routes' declarations:
 *
 *   npm run openapi
 *
 * The broker serves the files as written; a test fails while one differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderAccountOpenApiDocument } from '../../src/http/account-openapi.ts';
import { renderOpenApiDocument } from '../../src/http/admin-openapi.ts';
import { ACCOUNT_OPENAPI_FILE, ACCOUNT_ROUTES } from '../../src/http/routes/account-api.ts';
import { adminRoutes, OPENAPI_FILE } from '../../src/http/routes/admin-api.ts';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';

// The document describes a kind as a string, whatever the deployment's kinds: the defaults stand in for them.
writeFileSync(OPENAPI_FILE, renderOpenApiDocument(adminRoutes(DEFAULT_PROFILE_KINDS)));
writeFileSync(ACCOUNT_OPENAPI_FILE, renderAccountOpenApiDocument(ACCOUNT_ROUTES));
for (const file of [OPENAPI_FILE, ACCOUNT_OPENAPI_FILE])
  process.stdout.write(`wrote ${relative(process.cwd(), file)}\n`);
