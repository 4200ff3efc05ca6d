/**
 * local.json, what `npm start` writes for its user (URLs, the API key, the local admin's
 * credentials), read back by the platform at its next start and by the CLIs.
 */
import { readFile } from 'node:fs/promises';

/** The fields of local.json that readers rely on (the platform writes LocalPlatformInfo). */
interface SavedLocalInfo {
  apiKey?: string;
  legacyApiKey?: string;
  project?: string;
  project_id?: string;
  controlPlane?: Partial<LocalControlPlaneSection> & { apiKey?: string };
}

/** How to reach the local control plane as its admin (local.json `controlPlane`). */
interface LocalControlPlaneSection {
  url: string;
  email: string;
  password: string;
  org_id: string;
}

export async function readSavedInfo(infoPath: string): Promise<SavedLocalInfo | undefined> {
  let text: string;
  try {
    text = await readFile(infoPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as SavedLocalInfo;
  } catch {
    throw new Error(`${infoPath} is not valid JSON; fix or delete it (a new API key is then created)`);
  }
}

/** The admin's credentials when the data folder has a control plane, else undefined. */
export async function readLocalControlPlaneSection(
  infoPath: string,
): Promise<LocalControlPlaneSection | undefined> {
  const section = (await readSavedInfo(infoPath))?.controlPlane;
  if (!section) return undefined;
  const { url, email, password, org_id } = section;
  if (typeof url !== 'string' || typeof email !== 'string' || typeof org_id !== 'string') return undefined;
  if (typeof password !== 'string' || password === '') {
    throw new Error(`${infoPath} has no controlPlane.password: the local admin cannot sign in`);
  }
  return { url, email, password, org_id };
}
