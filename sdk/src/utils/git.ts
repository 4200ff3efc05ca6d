/**
 * Git commit and branch of the running code, read from the .git directory by hand (HEAD, loose
 * refs, packed-refs, worktree pointers) so start-up never spawns `git`. CI variables win because
 * CI checkouts are usually detached and deploy bundles often carry no .git at all.
 *
 * `dirty` is not computed from the working tree: doing it honestly means hashing every tracked file
 * against the index, which is neither cheap nor start-up friendly. It is only set when the build
 * says so (WAGGLE_GIT_DIRTY=true|false), otherwise it stays undefined.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitInfo {
  commit?: string;
  /** Branch (or tag, see refType) name without refs/heads/. */
  branch?: string;
  refType?: 'branch' | 'tag';
  /** true / false only when supplied by the environment; see the module comment. */
  dirty?: boolean;
  /** Remote origin URL with any credentials removed. */
  repositoryUrl?: string;
  /** Where the values came from: the .git folder, CI variables, or both. */
  source: 'git' | 'env' | 'git+env';
}

type Env = Record<string, string | undefined>;

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const MAX_SYMREF_DEPTH = 5;
const MAX_PARENT_WALK = 64;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

interface GitDirs {
  /** Per-worktree directory: HEAD lives here. */
  gitDir: string;
  /** Shared directory: refs, packed-refs and config live here (same as gitDir outside worktrees). */
  commonDir: string;
}

/** Finds .git from cwd upwards; a `.git` file (worktree, submodule) points at the real directory. */
function findGitDirs(cwd: string): GitDirs | undefined {
  let dir = resolve(cwd);
  for (let i = 0; i < MAX_PARENT_WALK; i++) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      const gitDir = statSync(dotGit).isDirectory() ? dotGit : pointedGitDir(dotGit);
      if (gitDir) return { gitDir, commonDir: commonDirOf(gitDir) };
      return undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function pointedGitDir(dotGitFile: string): string | undefined {
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGitFile) ?? '');
  if (!match?.[1]) return undefined;
  const target = match[1];
  return isAbsolute(target) ? target : resolve(dirname(dotGitFile), target);
}

function commonDirOf(gitDir: string): string {
  const pointer = readText(join(gitDir, 'commondir'))?.trim();
  if (!pointer) return gitDir;
  return isAbsolute(pointer) ? pointer : resolve(gitDir, pointer);
}

function packedRef(commonDir: string, ref: string): string | undefined {
  const packed = readText(join(commonDir, 'packed-refs'));
  if (!packed) return undefined;
  for (const line of packed.split('\n')) {
    // Lines are "<sha> <ref>"; '#' headers and '^' peeled-tag lines are skipped.
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

function resolveRef(dirs: GitDirs, ref: string, depth = 0): string | undefined {
  if (depth > MAX_SYMREF_DEPTH) return undefined;
  const loose = (readText(join(dirs.gitDir, ref)) ?? readText(join(dirs.commonDir, ref)))?.trim();
  if (loose?.startsWith('ref:')) return resolveRef(dirs, loose.slice(4).trim(), depth + 1);
  if (loose && SHA.test(loose)) return loose;
  return packedRef(dirs.commonDir, ref);
}

/** Strips user:password@ so a token embedded in the remote URL never becomes an attribute. */
export function sanitizeRemoteUrl(url: string): string {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
      const parsed = new URL(url);
      parsed.username = '';
      parsed.password = '';
      return parsed.toString();
    }
  } catch {
    // Fall through to the scp-like form below.
  }
  // scp-like git@host:owner/repo.git: the user part is a login name, not a secret.
  return url.replace(/^[^@/]*:[^@/]*@/, '');
}

function originUrl(commonDir: string): string | undefined {
  const config = readText(join(commonDir, 'config'));
  if (!config) return undefined;
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1];
  const url = section && /^\s*url\s*=\s*(.+?)\s*$/m.exec(section)?.[1];
  return url ? sanitizeRemoteUrl(url) : undefined;
}

function fromGitDir(cwd: string): Omit<GitInfo, 'source'> | undefined {
  const dirs = findGitDirs(cwd);
  if (!dirs) return undefined;
  const head = readText(join(dirs.gitDir, 'HEAD'))?.trim();
  if (!head) return undefined;
  const info: Omit<GitInfo, 'source'> = { repositoryUrl: originUrl(dirs.commonDir) };
  if (head.startsWith('ref:')) {
    const ref = head.slice(4).trim();
    info.commit = resolveRef(dirs, ref);
    if (ref.startsWith('refs/heads/')) {
      info.branch = ref.slice('refs/heads/'.length);
      info.refType = 'branch';
    }
  } else if (SHA.test(head)) {
    info.commit = head;
  }
  return info;
}

function fromEnv(env: Env): Omit<GitInfo, 'source'> {
  const pick = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v);
  const tag = pick('CI_COMMIT_TAG', 'CIRCLE_TAG', 'BUILDKITE_TAG');
  const githubTag = env.GITHUB_REF_TYPE === 'tag' ? pick('GITHUB_REF_NAME') : undefined;
  // On pull requests GITHUB_REF_NAME is "123/merge"; GITHUB_HEAD_REF is the real source branch.
  const branch = pick(
    'WAGGLE_GIT_BRANCH',
    'GITHUB_HEAD_REF',
    ...(githubTag ? [] : ['GITHUB_REF_NAME']),
    'CI_COMMIT_BRANCH',
    'CI_COMMIT_REF_NAME',
    'CIRCLE_BRANCH',
    'BUILDKITE_BRANCH',
    'VERCEL_GIT_COMMIT_REF',
  );
  const dirtyFlag = env.WAGGLE_GIT_DIRTY?.trim().toLowerCase();
  const info: Omit<GitInfo, 'source'> = {
    commit: pick(
      'WAGGLE_GIT_COMMIT',
      'GITHUB_SHA',
      'CI_COMMIT_SHA',
      'CIRCLE_SHA1',
      'BUILDKITE_COMMIT',
      'CODEBUILD_RESOLVED_SOURCE_VERSION',
      'VERCEL_GIT_COMMIT_SHA',
    ),
    dirty:
      dirtyFlag === 'true' || dirtyFlag === '1'
        ? true
        : dirtyFlag === 'false' || dirtyFlag === '0'
          ? false
          : undefined,
  };
  const refName = branch ?? tag ?? githubTag;
  if (refName) {
    info.branch = refName;
    info.refType = branch ? 'branch' : 'tag';
  }
  return info;
}

function hasAny(info: Omit<GitInfo, 'source'>): boolean {
  return Object.values(info).some((v) => v !== undefined);
}

/**
 * Commit, branch and origin of the code in cwd, or undefined when neither a repository nor CI
 * variables say anything. Never throws and never runs `git`.
 */
export function detectGit(cwd: string = process.cwd(), env: Env = process.env): GitInfo | undefined {
  try {
    const local = fromGitDir(cwd);
    const ci = fromEnv(env);
    const fromLocal = local !== undefined && hasAny(local);
    const fromCi = hasAny(ci);
    if (!fromLocal && !fromCi) return undefined;
    const merged: GitInfo = { ...local, source: fromLocal && fromCi ? 'git+env' : fromCi ? 'env' : 'git' };
    for (const [key, value] of Object.entries(ci)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    return merged;
  } catch {
    return undefined;
  }
}

/**
 * Resource attributes under the current semantic-convention names (vcs.ref.head.*, which replaced
 * vcs.repository.ref.*); dirty has no convention, so it is waggle.git.dirty.
 */
export function gitResourceAttributes(info: GitInfo | undefined): Record<string, string | boolean> {
  const result: Record<string, string | boolean> = {};
  if (!info) return result;
  if (info.commit) result['vcs.ref.head.revision'] = info.commit;
  if (info.branch) result['vcs.ref.head.name'] = info.branch;
  if (info.branch && info.refType) result['vcs.ref.head.type'] = info.refType;
  if (info.repositoryUrl) result['vcs.repository.url.full'] = info.repositoryUrl;
  if (info.dirty !== undefined) result['waggle.git.dirty'] = info.dirty;
  return result;
}
