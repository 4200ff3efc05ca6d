/** The notification log in memory (unit tests), ordered and paged as the DynamoDB one is. */
import {
  cursorOf,
  expiresAtSeconds,
  type LogOwner,
  logPosition,
  type NotificationLog,
  type NotificationLogEntry,
  positionOf,
} from './notification-log';

export class MemoryNotificationLog implements NotificationLog {
  private readonly entries = new Map<
    string,
    { position: string; expires: number; entry: NotificationLogEntry }[]
  >();

  constructor(private readonly clock: () => number = Date.now) {}

  async append(owner: LogOwner, entry: NotificationLogEntry): Promise<void> {
    const key = `${owner.org_id}/${owner.project_id}`;
    const position = logPosition(entry);
    const kept = (this.entries.get(key) ?? []).filter((item) => item.position !== position);
    kept.push({ position, expires: expiresAtSeconds(Date.parse(entry.at)), entry: structuredClone(entry) });
    this.entries.set(key, kept);
  }

  async list(owner: LogOwner, page: { limit: number; cursor?: string }) {
    const after = page.cursor === undefined ? undefined : positionOf(page.cursor);
    const now = Math.floor(this.clock() / 1000);
    const newest = (this.entries.get(`${owner.org_id}/${owner.project_id}`) ?? [])
      .filter((item) => item.expires > now && (after === undefined || item.position < after))
      .sort((a, b) => (a.position < b.position ? 1 : -1));
    const shown = newest.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      entries: shown.map((item) => structuredClone(item.entry)),
      next_cursor: newest.length > page.limit && last ? cursorOf(last.position) : null,
    };
  }
}
