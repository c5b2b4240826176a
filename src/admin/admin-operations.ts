import type { AuditLog } from '../audit/audit-log.ts';
import type { SupportDeskDeps } from '../association/support-desk.ts';
import type { ManageClientsDeps } from '../clients/manage-clients.ts';
import type { ImportDeps } from '../directory/import-directory.ts';
import type { ManageDirectoryDeps } from '../directory/manage-directory.ts';

/**
 * What administration needs, one entry per area: the admin API and the command line (scripts/admin.ts) run the same
 * use cases with these, made once by the composition root.
 */
export interface AdminOperations {
  clients: ManageClientsDeps;
  directory: ManageDirectoryDeps;
  imports: ImportDeps;
  support: SupportDeskDeps;
  audit: AuditLog;
}
