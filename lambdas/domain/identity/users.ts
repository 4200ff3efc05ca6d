/** Users of the local identity provider: an id, a normalized email and a password hash (never the password). */
export interface LocalUser {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

export interface UserStore {
  findByEmail(email: string): Promise<LocalUser | undefined>;
  /** Rejects when a user with that email exists. */
  create(user: LocalUser): Promise<void>;
}

/** Emails compare case-insensitively, as Cognito's do with its default settings. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, LocalUser>();

  async findByEmail(email: string): Promise<LocalUser | undefined> {
    const user = this.users.get(normalizeEmail(email));
    return user && { ...user };
  }

  async create(user: LocalUser): Promise<void> {
    const key = normalizeEmail(user.email);
    if (this.users.has(key)) throw new Error(`a user with email ${key} exists`);
    this.users.set(key, { ...user });
  }

  /** Every user, for persistence. */
  all(): LocalUser[] {
    return [...this.users.values()].map((user) => ({ ...user }));
  }
}
