import { endProfileSessions, listProfileSessions, type SupportSessionsDeps } from '../sessions/support-sessions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { queryAudit } from '../audit/query-audit.ts';
import {
  listProfileLinks,
  sendInvitation,
  showAssociation,
  unlinkProfile,
  type SupportDeskDeps,
} from '../association/support-desk.ts';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  setClientStatus,
  updateClient,
  type ManageClientsDeps,
} from '../clients/manage-clients.ts';
import { importDirectoryReport, type ImportDeps } from '../directory/import-directory.ts';
import { listFailedMail, requeueAllMail, requeueMail, type FailedMailDeps } from '../mail/failed-mail.ts';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  listProfiles,
  profileOf,
  setOrganisationStatus,
  updateOrganisation,
  type ManageDirectoryDeps,
} from '../directory/manage-directory.ts';
import {
  createProfile,
  designateAdministrator,
  setProfileStatus,
  updateProfile,
} from '../directory/manage-profiles.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  replayDelivery,
  retryDelivery,
  rotateWebhookSecret,
  setWebhookStatus,
  type ManageWebhooksDeps,
} from '../webhooks/manage-webhooks.ts';

/** What the administration use cases need, one entry per area; the composition root makes it once. */
export interface AdminDeps {
  clients: ManageClientsDeps;
  directory: ManageDirectoryDeps;
  imports: ImportDeps;
  support: SupportDeskDeps;
  sessions: SupportSessionsDeps;
  audit: AuditLog;
  webhooks: ManageWebhooksDeps;
  mail: FailedMailDeps;
}

/** A use case with its dependencies given: the caller passes the rest (who acts, and on what). */
const bind =
  <D, A extends unknown[], R>(useCase: (deps: D, ...args: A) => R, deps: D) =>
  (...args: A): R =>
    useCase(deps, ...args);

/**
 * The administration use cases, bound to their dependencies once. The admin API's routes and the command line call
 * these (`admin.directory.createOrganisation(actor, input)`) and never hold a store; the use-case functions stay plain
 * functions over narrow deps, tested on their own.
 */
export function bindAdminOperations(deps: AdminDeps) {
  return {
    clients: {
      list: bind(listClients, deps.clients),
      get: bind(getClient, deps.clients),
      register: bind(createClient, deps.clients),
      update: bind(updateClient, deps.clients),
      setStatus: bind(setClientStatus, deps.clients),
      remove: bind(deleteClient, deps.clients),
      rotateSecret: bind(rotateClientSecret, deps.clients),
    },
    directory: {
      listOrganisations: bind(listOrganisations, deps.directory),
      getOrganisation: bind(getOrganisation, deps.directory),
      createOrganisation: bind(createOrganisation, deps.directory),
      updateOrganisation: bind(updateOrganisation, deps.directory),
      setOrganisationStatus: bind(setOrganisationStatus, deps.directory),
      designateAdministrator: bind(designateAdministrator, deps.directory),
      listProfiles: bind(listProfiles, deps.directory),
      getProfile: bind(profileOf, deps.directory),
      createProfile: bind(createProfile, deps.directory),
      updateProfile: bind(updateProfile, deps.directory),
      setProfileStatus: bind(setProfileStatus, deps.directory),
      import: bind(importDirectoryReport, deps.imports),
    },
    support: {
      showAssociation: bind(showAssociation, deps.support),
      unlink: bind(unlinkProfile, deps.support),
      listLinks: bind(listProfileLinks, deps.support),
      invite: bind(sendInvitation, deps.support),
      listSessions: bind(listProfileSessions, deps.sessions),
      endSessions: bind(endProfileSessions, deps.sessions),
    },
    audit: {
      query: bind(queryAudit, deps.audit),
    },
    webhooks: {
      list: bind(listWebhooks, deps.webhooks),
      get: bind(getWebhook, deps.webhooks),
      create: bind(createWebhook, deps.webhooks),
      setStatus: bind(setWebhookStatus, deps.webhooks),
      remove: bind(deleteWebhook, deps.webhooks),
      rotateSecret: bind(rotateWebhookSecret, deps.webhooks),
      deliveries: bind(listDeliveries, deps.webhooks),
      retry: bind(retryDelivery, deps.webhooks),
      replay: bind(replayDelivery, deps.webhooks),
    },
    mail: {
      failed: bind(listFailedMail, deps.mail),
      requeue: bind(requeueMail, deps.mail),
      requeueAll: bind(requeueAllMail, deps.mail),
    },
  };
}

export type AdminOperations = ReturnType<typeof bindAdminOperations>;
