/**
 * A pid lock file that keeps two processes from opening the same local data at once (LevelDB
 * cannot be shared, and dynalite crashes its process instead of reporting a locked database).
 * A lock left by a process that no longer runs is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';

export class FolderInUseError extends Error {
  override readonly name = 'FolderInUseError';
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`${lockPath} is held by process ${pid}`);
  }
}

export interface FolderLock {
  release(): Promise<void>;
}

export async function acquireFolderLock(lockPath: string): Promise<FolderLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return { release: () => rm(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await lockHolder(lockPath);
    if (holder !== undefined && isRunning(holder)) throw new FolderInUseError(lockPath, holder);
    await rm(lockPath, { force: true });
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

async function lockHolder(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
