/**
 * Writes the admin API's OpenAPI document (src/admin/openapi.json) from the routes' declarations:
 *
 *   npm run openapi
 *
 * The broker serves the file as written; a test fails while it differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderOpenApiDocument } from '../src/http/admin-openapi.ts';
import { ADMIN_ROUTES, OPENAPI_FILE } from '../src/http/routes/admin-api.ts';

writeFileSync(OPENAPI_FILE, renderOpenApiDocument(ADMIN_ROUTES));
process.stdout.write(`wrote ${relative(process.cwd(), OPENAPI_FILE)}\n`);
