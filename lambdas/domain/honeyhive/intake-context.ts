import type { EventRecord, Tenant } from '../events/event';

/** What the intake knows about a request besides its body: who sent it (from the API key) and when. */
export interface IntakeContext {
  /** Where the records are stored. Always taken from the API key, never from the body. */
  tenant: Tenant;
  /** The project name the key belongs to; a body `project` naming another project is rejected. */
  projectName: string;
  /** Epoch milliseconds at which the data plane accepted the request. */
  ingestedAt: number;
  /** Version stamped on every record of the request (epoch microseconds of ingestion). */
  version: number;
  /** Generates a UUID v4 for ids the client left out. */
  newId: () => string;
}

export interface IntakeResult {
  /** Records for the events queue, in the order the body gave them (a generated session event first). */
  records: EventRecord[];
  /** The HoneyHive-shaped JSON response body. */
  response: unknown;
  /**
   * A batch only partly accepted: some items were refused (listed in the response's `errors`), the
   * rest are in `records` (the spec's partial-failure answer).
   */
  partial: boolean;
}
