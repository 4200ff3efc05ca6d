import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectGit, gitResourceAttributes, sanitizeRemoteUrl } from '../../src/utils/git';

const root = mkdtempSync(join(tmpdir(), 'waggle-git-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SHA_A = 'a'.repeat(40);
const SHA_B = '0123456789abcdef0123456789abcdef01234567';
const NO_ENV = {};

let counter = 0;
/** A fresh directory with the given files (paths relative to it) written by hand. */
function repo(files: Record<string, string>): string {
  const dir = join(root, `repo-${counter++}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('detectGit from the .git folder', () => {
  it('HEAD on a branch with a loose ref, from a nested working directory', () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/refs/heads/main': `${SHA_A}\n`,
      '.git/config':
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://user:ghp_secret@github.com/acme/app.git\n',
      'src/deep/file.ts': '',
    });
    expect(detectGit(join(dir, 'src', 'deep'), NO_ENV)).toEqual({
      commit: SHA_A,
      branch: 'main',
      refType: 'branch',
      repositoryUrl: 'https://github.com/acme/app.git',
      source: 'git',
    });
  });

  it('detached HEAD: commit only, no branch', () => {
    const dir = repo({ '.git/HEAD': `${SHA_B}\n` });
    const info = detectGit(dir, NO_ENV);
    expect(info?.commit).toBe(SHA_B);
    expect(info?.branch).toBeUndefined();
  });

  it('branch only in packed-refs (after git gc), skipping comments and peeled lines', () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/feature/x\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${SHA_A} refs/heads/other\n${SHA_B} refs/heads/feature/x\n^${SHA_A}\n`,
    });
    expect(detectGit(dir, NO_ENV)).toMatchObject({ commit: SHA_B, branch: 'feature/x' });
  });

  it('a loose ref wins over a stale packed one', () => {
    const dir = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/refs/heads/main': `${SHA_B}\n`,
      '.git/packed-refs': `${SHA_A} refs/heads/main\n`,
    });
    expect(detectGit(dir, NO_ENV)?.commit).toBe(SHA_B);
  });

  it('worktree: a .git file points at .git/worktrees/<name>, refs come from the common dir', () => {
    const main = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/refs/heads/main': `${SHA_A}\n`,
      '.git/refs/heads/wt-branch': `${SHA_B}\n`,
      '.git/worktrees/wt/HEAD': 'ref: refs/heads/wt-branch\n',
      '.git/worktrees/wt/commondir': '../..\n',
      '.git/config': '[remote "origin"]\n\turl = git@github.com:acme/app.git\n',
    });
    const worktree = repo({ '.git': `gitdir: ${join(main, '.git', 'worktrees', 'wt')}\n` });
    expect(detectGit(worktree, NO_ENV)).toEqual({
      commit: SHA_B,
      branch: 'wt-branch',
      refType: 'branch',
      repositoryUrl: 'git@github.com:acme/app.git',
      source: 'git',
    });
  });

  it('a relative gitdir pointer (submodule layout) is resolved from the .git file', () => {
    const parent = repo({
      '.git/modules/sub/HEAD': `${SHA_A}\n`,
      'sub/.git': 'gitdir: ../.git/modules/sub\n',
    });
    expect(detectGit(join(parent, 'sub'), NO_ENV)?.commit).toBe(SHA_A);
  });

  it('no repository and no CI variables: undefined', () => {
    expect(detectGit(repo({ 'file.txt': 'x' }), NO_ENV)).toBeUndefined();
  });

  it('broken repositories never throw', () => {
    expect(detectGit(repo({ '.git': 'garbage' }), NO_ENV)).toBeUndefined();
    expect(detectGit(repo({ '.git/HEAD': 'ref: refs/heads/missing\n' }), NO_ENV)).toMatchObject({
      branch: 'missing',
      commit: undefined,
    });
    expect(detectGit(repo({ '.git/HEAD': 'not a sha' }), NO_ENV)).toBeUndefined();
    expect(detectGit(join(root, 'does', 'not', 'exist'), NO_ENV)).toBeUndefined();
    const loop = repo({ '.git/HEAD': 'ref: refs/heads/a\n', '.git/refs/heads/a': 'ref: refs/heads/a\n' });
    expect(detectGit(loop, NO_ENV)?.commit).toBeUndefined();
  });
});

describe('detectGit with CI variables', () => {
  it('GitHub Actions variables alone (no .git in the deploy bundle)', () => {
    const dir = repo({ 'index.js': '' });
    expect(detectGit(dir, { GITHUB_SHA: SHA_B, GITHUB_REF_NAME: 'main', GITHUB_REF_TYPE: 'branch' })).toEqual(
      {
        commit: SHA_B,
        branch: 'main',
        refType: 'branch',
        dirty: undefined,
        source: 'env',
      },
    );
  });

  it('pull requests use GITHUB_HEAD_REF rather than the "123/merge" ref name', () => {
    const info = detectGit(repo({}), {
      GITHUB_SHA: SHA_A,
      GITHUB_REF_NAME: '12/merge',
      GITHUB_HEAD_REF: 'fix-bug',
    });
    expect(info?.branch).toBe('fix-bug');
  });

  it('a GitHub tag build is a tag, not a branch', () => {
    const info = detectGit(repo({}), {
      GITHUB_SHA: SHA_A,
      GITHUB_REF_NAME: 'v1.2.0',
      GITHUB_REF_TYPE: 'tag',
    });
    expect(info).toMatchObject({ branch: 'v1.2.0', refType: 'tag' });
  });

  it('GitLab variables, and CI values override a detached checkout', () => {
    const dir = repo({ '.git/HEAD': `${SHA_A}\n` });
    expect(detectGit(dir, { CI_COMMIT_SHA: SHA_B, CI_COMMIT_REF_NAME: 'develop' })).toMatchObject({
      commit: SHA_B,
      branch: 'develop',
      source: 'git+env',
    });
  });

  it('dirty only when the build says so', () => {
    const dir = repo({ '.git/HEAD': `${SHA_A}\n` });
    expect(detectGit(dir, NO_ENV)?.dirty).toBeUndefined();
    expect(detectGit(dir, { WAGGLE_GIT_DIRTY: 'true' })?.dirty).toBe(true);
    expect(detectGit(dir, { WAGGLE_GIT_DIRTY: '0' })?.dirty).toBe(false);
  });
});

describe('gitResourceAttributes', () => {
  it('uses the current vcs.ref.head.* names and omits what is unknown', () => {
    expect(
      gitResourceAttributes({
        commit: SHA_A,
        branch: 'main',
        refType: 'branch',
        repositoryUrl: 'https://github.com/acme/app',
        dirty: false,
        source: 'git',
      }),
    ).toEqual({
      'vcs.ref.head.revision': SHA_A,
      'vcs.ref.head.name': 'main',
      'vcs.ref.head.type': 'branch',
      'vcs.repository.url.full': 'https://github.com/acme/app',
      'waggle.git.dirty': false,
    });
    expect(gitResourceAttributes({ commit: SHA_B, source: 'git' })).toEqual({
      'vcs.ref.head.revision': SHA_B,
    });
    expect(gitResourceAttributes(undefined)).toEqual({});
  });

  it.each([
    ['https://x-access-token:ghs_abc@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
    ['ssh://git@host:22/a/b', 'ssh://host:22/a/b'],
    ['/local/path/repo', '/local/path/repo'],
  ])('sanitizes remote %s', (url, expected) => {
    expect(sanitizeRemoteUrl(url)).toBe(expected);
  });
});
