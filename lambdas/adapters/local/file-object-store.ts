/**
 * ObjectStore on plain files under a root folder, so local tools (DuckDB) can read objects in place.
 * A key maps to root/<key> split on '/'. Each put writes a temporary file beside the target, syncs
 * it and renames it over the target: readers and a crash see either the old object or the new one,
 * never half of one. Content type and encoding are not kept (plain files have nowhere to put them).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { DeletableObjectStore } from '../../domain/ports';

const TEMP_MARKER = '.waggle-tmp-';

export class InvalidObjectKeyError extends Error {
  override readonly name = 'InvalidObjectKeyError';
}

export class FileObjectStore implements DeletableObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file that holds key (throws InvalidObjectKeyError for keys that would leave the root). */
  pathOf(key: string): string {
    const segments = keySegments(key);
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep))
      throw new InvalidObjectKeyError(`object key escapes the store: ${key}`);
    return path;
  }

  async put(
    key: string,
    body: Uint8Array,
    _options?: { contentType?: string; contentEncoding?: string },
  ): Promise<void> {
    const path = this.pathOf(key);
    const tempPath = `${path}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      const file = await open(tempPath, 'wx');
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tempPath, path);
    } catch (error) {
      // Best effort: when the folder itself could not be made there is no temp file to remove.
      await rm(tempPath, { force: true }).catch(() => undefined);
      if (isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR') || isCode(error, 'EEXIST')) {
        throw new InvalidObjectKeyError(`object key clashes with a folder of other keys: ${key}`);
      }
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  /** Removes the object's file; no object under key is fine (S3 DeleteObject semantics). Empty folders stay. */
  async delete(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (error) {
      // A key that names a folder of other keys is no object: nothing to delete, as in S3.
      if (isCode(error, 'ERR_FS_EISDIR') || isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR')) return;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    // Walk only the deepest folder the prefix fully names, then filter by the rest of the prefix.
    const folderPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const folderSegments = folderPart === '' ? [] : folderPart.split('/');
    if (folderSegments.some((segment) => segment === '' || segment === '.' || segment === '..')) return;
    const keys: string[] = [];
    await collectKeys(join(this.root, ...folderSegments), folderSegments, keys);
    const matching = keys.filter((key) => key.startsWith(prefix));
    // S3 lists in UTF-8 byte order; compare bytes so the two stores agree.
    matching.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    yield* matching;
  }
}

function keySegments(key: string): string[] {
  if (key.length === 0) throw new InvalidObjectKeyError('object key is empty');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(`object key must be relative: ${key}`);
  if (key.includes('\0') || key.includes('\\')) {
    throw new InvalidObjectKeyError(`object key has a NUL or backslash: ${JSON.stringify(key)}`);
  }
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidObjectKeyError(`object key has an empty, "." or ".." segment: ${key}`);
    }
    if (segment.includes(TEMP_MARKER))
      throw new InvalidObjectKeyError(`object key uses a reserved name: ${key}`);
  }
  return segments;
}

async function collectKeys(folder: string, segments: string[], keys: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      await collectKeys(join(folder, entry.name), [...segments, entry.name], keys);
    } else if (entry.isFile() && !entry.name.includes(TEMP_MARKER)) {
      keys.push([...segments, entry.name].join('/'));
    }
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
