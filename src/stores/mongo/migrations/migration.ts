import type { Connection } from 'mongoose';

/**
 * One step of `npm run db:migrate` (docs/decisions/0025). Applied once per database, in the order of MIGRATIONS,
 * and recorded in the `migrations` collection under its id. `up` may be run again after a failure, so it must be
 * safe to repeat (create an index that may exist, update what still has the old shape).
 */
export type Migration = {
  /** Sorts in the order migrations apply: a four-digit number and a few words, e.g. `0002-profile-kind-field`. */
  id: string;
  /** What it does, in the words an operator reads while it runs. */
  description: string;
  up(connection: Connection, log: (line: string) => void): Promise<void>;
};

/** A document of the `migrations` collection: the id is `_id`, so two runs cannot both record (and apply) one. */
export type MigrationRecord = {
  _id: string;
  state: 'applying' | 'applied';
  /** Host and process id of the run that applied it (or is applying it now). */
  by: string;
  startedAt: Date;
  appliedAt?: Date;
};
