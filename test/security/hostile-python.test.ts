/**
 * Hostile Python code metrics against the local sandbox (lambdas/adapters/local/python-sandbox.ts)
 * and against the AWS executor (LambdaCodeRunner invoking lambdas/evaluator-executor/handler.py):
 * each snippet is contained and comes back as an error outcome (or, where the attack is inert, a
 * harmless value, said per case), no process of it is left behind, and a normal metric of the same
 * project scores right after it. What stops each one is in docs/python-metrics.md.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaCodeRunner } from '../../lambdas/adapters/aws/lambda-code-runner';
import { PythonSandbox } from '../../lambdas/adapters/local/python-sandbox';
import type {
  CodeMetricRunner,
  EvaluationErrorKind,
  EvaluationOutcome,
} from '../../lambdas/domain/evaluators/evaluator';
import { evaluationInput } from '../support/evaluation-input';
import { ExecutorHandlerClient } from '../support/executor-handler-client';

const TCP_PORT = 24_817;
const UDP_PORT = 24_818;
/** A limit only this file's sandbox uses, so that its processes can be told apart in `ps`. */
const OPEN_FILES = 15;
const SECRET = 'waggle-hostile-secret-7f3a';

const input = evaluationInput({ inputs: { question: 'hi' }, outputs: { content: 'hello there' } });

let sandbox: PythonSandbox;
/** The AWS path: LambdaCodeRunner invoking handler.py, which runs the same harness. */
let executor: LambdaCodeRunner;
/** The runner of the suite being run. */
let runner: CodeMetricRunner;
let server: Server;
let udp: UdpSocket;
let tcpConnections = 0;
let udpMessages = 0;
let secrets: string;
const sharedFile = join(tmpdir(), `waggle-hostile-shared-${process.pid}`);

beforeAll(async () => {
  process.env.WAGGLE_HOSTILE_SECRET = SECRET;
  // A stand-in for ~/.aws/credentials that any local user could read: only the sandbox stops it.
  secrets = mkdtempSync(join(tmpdir(), 'waggle-hostile-'));
  writeFileSync(join(secrets, 'credentials'), `[default]\naws_secret_access_key = ${SECRET}\n`, {
    mode: 0o644,
  });
  execFileSync('chmod', ['755', secrets]);
  server = createServer((socket) => {
    tcpConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((listening) => server.listen(TCP_PORT, '127.0.0.1', listening));
  udp = createSocket('udp4');
  udp.on('message', () => {
    udpMessages += 1;
  });
  await new Promise<void>((bound) => udp.bind(UDP_PORT, '127.0.0.1', bound));
  const limits = { wallClockMs: 1_500, cpuSeconds: 1, openFiles: OPEN_FILES };
  sandbox = new PythonSandbox({ prewarm: false, limits });
  executor = new LambdaCodeRunner(new ExecutorHandlerClient().asLambdaClient(), 'evaluator-executor', limits);
});

afterAll(async () => {
  sandbox.close();
  await new Promise((closed) => server.close(closed));
  udp.close();
  rmSync(secrets, { recursive: true, force: true });
  rmSync(sharedFile, { force: true });
  delete process.env.WAGGLE_HOSTILE_SECRET;
});

/** Harness processes of this file still running (the limits argument names them). */
function leftoverProcesses(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes('harness.py') && line.includes(`"open_files":${OPEN_FILES}`));
}

async function waitForNoLeftovers(): Promise<string[]> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const left = leftoverProcesses();
    if (left.length === 0) return left;
    await new Promise((later) => setTimeout(later, 50));
  }
  return leftoverProcesses();
}

const NORMAL = 'def score(event):\n    return len(event["outputs"]["content"])\n';

async function hostile(
  projectId: string,
  code: string,
  returnType: 'float' | 'boolean' | 'string' = 'string',
): Promise<EvaluationOutcome> {
  const outcome = await runner.run({ projectId, code, returnType, input });
  // Contained: nothing of it still runs, and the next metric of the same project scores normally.
  expect(await waitForNoLeftovers()).toEqual([]);
  const after = await runner.run({ projectId, code: NORMAL, returnType: 'float', input });
  expect(after).toMatchObject({ status: 'ok', value: 11 });
  expect(JSON.stringify(outcome)).not.toContain(SECRET);
  return outcome;
}

function expectError(outcome: EvaluationOutcome, kind: EvaluationErrorKind, message?: RegExp): void {
  expect(outcome.status, JSON.stringify(outcome)).toBe('error');
  if (outcome.status !== 'error') return;
  expect(outcome.error.kind, outcome.error.message).toBe(kind);
  if (message) expect(outcome.error.message).toMatch(message);
}

function hostileSuite(): void {
  describe('secrets', () => {
    it('sees an empty environment (inert: a harmless value)', async () => {
      const outcome = await hostile(
        'p-env',
        'import os, json\ndef m(e):\n    return json.dumps(dict(os.environ))\n',
      );
      expect(outcome.status).toBe('ok');
      // Only what CPython sets itself when the locale is C (PEP 538 locale coercion), if anything.
      const seen = JSON.parse(String(outcome.status === 'ok' && outcome.value)) as Record<string, string>;
      expect(Object.keys(seen).filter((name) => name !== 'LC_CTYPE')).toEqual([]);
    });

    it('cannot read a credentials file', async () => {
      const path = join(secrets, 'credentials');
      expect(existsSync(path)).toBe(true);
      expectError(
        await hostile('p-creds', `def m(e):\n    return open(${JSON.stringify(path)}).read()\n`),
        'code-error',
        /not allowed in the metric sandbox: open/,
      );
    });

    it('cannot read ~/.aws/credentials through expanduser', async () => {
      expectError(
        await hostile(
          'p-aws',
          'import os\ndef m(e):\n    return open(os.path.expanduser("~/.aws/credentials")).read()\n',
        ),
        'code-error',
      );
    });

    it('cannot read /proc/self/environ', async () => {
      expectError(
        await hostile('p-proc-self', 'def m(e):\n    return open("/proc/self/environ").read()\n'),
        'code-error',
        /open/,
      );
    });

    it("cannot read its parent's environment (/proc/<ppid>/environ)", async () => {
      expectError(
        await hostile(
          'p-proc-parent',
          'import os\ndef m(e):\n    return open("/proc/%d/environ" % os.getppid(), "rb").read().decode()\n',
        ),
        'code-error',
        /open/,
      );
    });

    it('cannot read /proc/1/cmdline', async () => {
      expectError(
        await hostile('p-proc-1', 'def m(e):\n    return open("/proc/1/cmdline").read()\n'),
        'code-error',
        /open/,
      );
    });

    it('cannot read /etc/passwd, not even with os.open', async () => {
      expectError(
        await hostile(
          'p-passwd',
          'import os\ndef m(e):\n    fd = os.open("/etc/passwd", os.O_RDONLY)\n    return os.read(fd, 100).decode()\n',
        ),
        'code-error',
        /open/,
      );
    });

    it('cannot list directories', async () => {
      expectError(
        await hostile('p-listdir', 'import os\ndef m(e):\n    return ",".join(os.listdir("/"))\n'),
        'code-error',
        /os\.listdir/,
      );
    });
  });

  describe('network', () => {
    it('cannot open a TCP connection to a port listening on this machine', async () => {
      const code = `import socket\ndef m(e):\n    s = socket.create_connection(("127.0.0.1", ${TCP_PORT}))\n    return "connected"\n`;
      expectError(await hostile('p-tcp', code), 'code-error', /module not available.*socket/);
      expect(tcpConnections).toBe(0);
    });

    it('cannot reach the low-level _socket module either', async () => {
      const code = `import _socket\ndef m(e):\n    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)\n    s.connect(("127.0.0.1", ${TCP_PORT}))\n    return "connected"\n`;
      expectError(await hostile('p-tcp-raw', code), 'code-error', /module not available.*_socket/);
      expect(tcpConnections).toBe(0);
    });

    it('cannot send UDP', async () => {
      const code = `def m(e):\n    s = __import__("socket").socket(2, 2)\n    s.sendto(b"x", ("127.0.0.1", ${UDP_PORT}))\n    return "sent"\n`;
      expectError(await hostile('p-udp', code), 'code-error', /socket/);
      await new Promise((later) => setTimeout(later, 50));
      expect(udpMessages).toBe(0);
    });

    it('cannot resolve a name (DNS)', async () => {
      const code = 'import socket\ndef m(e):\n    return str(socket.getaddrinfo("example.com", 80))\n';
      expectError(await hostile('p-dns', code), 'code-error', /socket/);
    });

    it('cannot use urllib', async () => {
      const code =
        'import urllib.request\ndef m(e):\n    return urllib.request.urlopen("http://127.0.0.1:24817").read()\n';
      expectError(await hostile('p-urllib', code), 'code-error', /module not available/);
      expect(tcpConnections).toBe(0);
    });
  });

  describe('processes', () => {
    it('cannot start a subprocess', async () => {
      const code = 'import subprocess\ndef m(e):\n    return subprocess.check_output(["id"]).decode()\n';
      expectError(await hostile('p-subprocess', code), 'code-error', /module not available.*subprocess/);
    });

    it('cannot call os.system', async () => {
      expectError(
        await hostile(
          'p-system',
          `import os\ndef m(e):\n    return str(os.system("touch ${sharedFile}-system"))\n`,
        ),
        'code-error',
        /os\.system/,
      );
      expect(existsSync(`${sharedFile}-system`)).toBe(false);
    });

    it('cannot fork', async () => {
      expectError(
        await hostile('p-fork', 'import os\ndef m(e):\n    return str(os.fork())\n'),
        'code-error',
        /os\.fork/,
      );
    });

    it('cannot fork-bomb', async () => {
      expectError(
        await hostile('p-forkbomb', 'import os\ndef m(e):\n    while True:\n        os.fork()\n'),
        'code-error',
        /os\.fork/,
      );
    });

    it('cannot exec or posix_spawn another program', async () => {
      const code =
        'import os\ndef m(e):\n    try:\n        os.posix_spawn("/bin/sh", ["sh"], {})\n    except PermissionError:\n        pass\n    os.execv("/bin/sh", ["sh", "-c", "id"])\n';
      expectError(await hostile('p-exec', code), 'code-error', /os\.exec/);
    });

    it('cannot signal other processes (os.kill of its parent)', async () => {
      expectError(
        await hostile('p-kill', 'import os\ndef m(e):\n    os.kill(os.getppid(), 9)\n    return "killed"\n'),
        'code-error',
        /os\.kill/,
      );
    });

    it('cannot leave a thread running after the function returns', async () => {
      const code = `import _thread, time\ndef m(e):\n    def spin():\n        while True:\n            time.sleep(0.01)\n    _thread.start_new_thread(spin, ())\n    return "started"\n`;
      // The kernel refuses the thread (RLIMIT_NPROC); were it started, the process ends with the result.
      expectError(await hostile('p-thread', code), 'code-error', /can't start new thread/);
    });
  });

  describe('resources', () => {
    it('is stopped at 1 GB allocations', async () => {
      expectError(
        await hostile(
          'p-alloc',
          'def m(e):\n    block = bytearray(1024 * 1024 * 1024)\n    return len(block)\n',
          'float',
        ),
        'memory-limit',
      );
    });

    it('is stopped when memory grows bit by bit', async () => {
      const code =
        'def m(e):\n    blocks = []\n    while True:\n        blocks.append(bytearray(10 * 1024 * 1024))\n';
      const outcome = await hostile('p-grow', code, 'float');
      // Zero-filling each block is CPU time too: on a busy machine the 1 s CPU limit of this file can
      // stop it a moment before the address-space limit does. Either way it is contained.
      expect(outcome.status).toBe('error');
      if (outcome.status === 'error') expect(['memory-limit', 'timeout']).toContain(outcome.error.kind);
    });

    it('is stopped in an infinite loop (CPU time)', async () => {
      expectError(await hostile('p-loop', 'def m(e):\n    while True:\n        pass\n', 'float'), 'timeout');
    });

    it('is stopped when it sleeps past the wall clock', async () => {
      const started = performance.now();
      expectError(
        await hostile('p-sleep', 'import time\ndef m(e):\n    time.sleep(30)\n    return 1\n', 'float'),
        'timeout',
        /1500 ms/,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it('is stopped even when it ignores SIGTERM', async () => {
      const code =
        'import _signal, time\ndef m(e):\n    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)\n    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)\n    time.sleep(30)\n    return 1\n';
      expectError(await hostile('p-sigterm', code, 'float'), 'timeout');
    });

    it('cannot raise its own limits back', async () => {
      const code =
        'import resource\ndef m(e):\n    resource.setrlimit(resource.RLIMIT_AS, (-1, -1))\n    return 1\n';
      expectError(await hostile('p-rlimit', code, 'float'), 'code-error', /module not available|resource/);
    });

    it('is stopped by a recursion bomb', async () => {
      expectError(
        await hostile('p-recursion', 'def m(e):\n    return m(e)\n', 'float'),
        'code-error',
        /RecursionError/,
      );
    });

    it('is stopped by a recursion bomb with the recursion limit raised', async () => {
      const code =
        'import sys\ndef m(e):\n    sys.setrecursionlimit(10 ** 8)\n    def down(n):\n        return down(n + 1) + 1\n    return down(0)\n';
      const outcome = await hostile('p-deep', code, 'float');
      expect(outcome.status).toBe('error');
      if (outcome.status === 'error')
        expect(['timeout', 'memory-limit', 'code-error']).toContain(outcome.error.kind);
    });
  });

  describe('output', () => {
    it('is stopped when it prints without end', async () => {
      expectError(
        await hostile('p-print', 'def m(e):\n    while True:\n        print("x" * 1000)\n'),
        'output-limit',
      );
    });

    it('is stopped when it writes to stderr without end', async () => {
      expectError(
        await hostile(
          'p-stderr',
          'import sys\ndef m(e):\n    while True:\n        sys.stderr.write("y" * 1000)\n',
        ),
        'output-limit',
      );
    });

    it('is stopped when it writes straight to file descriptors 1 and 2', async () => {
      const code =
        'import os\ndef m(e):\n    while True:\n        os.write(2, b"z" * 65536)\n        os.write(1, b"z" * 65536)\n';
      expectError(await hostile('p-fd', code), 'output-limit');
    });

    it('cannot return a huge string', async () => {
      expectError(
        await hostile('p-huge', 'def m(e):\n    return "a" * (50 * 1024 * 1024)\n'),
        'output-limit',
      );
    });
  });

  describe('files and other projects', () => {
    it('cannot write files, by open or os.open', async () => {
      const code = `import os\ndef m(e):\n    try:\n        open("notes.txt", "w").write("x")\n    except PermissionError:\n        pass\n    os.open(${JSON.stringify(`${sharedFile}-os`)}, os.O_CREAT | os.O_WRONLY)\n    return "written"\n`;
      expectError(await hostile('p-write', code), 'code-error', /open/);
      expect(existsSync(`${sharedFile}-os`)).toBe(false);
    });

    it("cannot read a file another project's run tried to leave behind", async () => {
      const write = `def m(e):\n    with open(${JSON.stringify(sharedFile)}, "w") as f:\n        f.write("project a was here")\n    return "written"\n`;
      const read = `def m(e):\n    return open(${JSON.stringify(sharedFile)}).read()\n`;
      // One after the other, then both at once.
      expectError(await hostile('project-a', write), 'code-error', /open/);
      expectError(await hostile('project-b', read), 'code-error', /open/);
      const [a, b] = await Promise.all([hostile('project-a', write), hostile('project-b', read)]);
      expectError(a, 'code-error', /open/);
      expectError(b, 'code-error', /open/);
      expect(existsSync(sharedFile)).toBe(false);
    });
  });

  describe('escapes from Python', () => {
    it('cannot load ctypes', async () => {
      const code = 'import ctypes\ndef m(e):\n    return str(ctypes.CDLL(None).system(b"id"))\n';
      expectError(await hostile('p-ctypes', code), 'code-error', /module not available.*ctypes/);
    });

    it('cannot import through __import__ or importlib', async () => {
      const code = 'def m(e):\n    return str(__import__("importlib").import_module("subprocess"))\n';
      expectError(await hostile('p-import', code), 'code-error', /module not available/);
    });

    it('cannot reach open through builtins', async () => {
      const code = 'import builtins\ndef m(e):\n    return builtins.__dict__["open"]("/etc/passwd").read()\n';
      expectError(await hostile('p-builtins', code), 'code-error', /module not available|open/);
    });

    it('cannot use gc to find objects', async () => {
      const code = 'import gc\ndef m(e):\n    return str(len(gc.get_objects()))\n';
      expectError(await hostile('p-gc', code), 'code-error', /module not available.*gc/);
    });

    it('cannot reach os.system or FileIO through object.__subclasses__()', async () => {
      const code = `def m(e):\n    classes, todo = {}, [object]\n    while todo:\n        for s in type.__subclasses__(todo.pop()):\n            if s.__name__ not in classes:\n                classes[s.__name__] = s\n                todo.append(s)\n    try:\n        return classes["_wrap_close"].__init__.__globals__["system"]("id")\n    except PermissionError:\n        pass\n    return classes["FileIO"]("/etc/passwd").read()\n`;
      expectError(
        await hostile('p-subclasses', code),
        'code-error',
        /not allowed in the metric sandbox: open/,
      );
    });

    it("cannot load a file through the importer's own loader", async () => {
      const code =
        'import sys\ndef m(e):\n    external = sys.modules["_frozen_importlib_external"]\n    return external.FileLoader("x", "/etc/passwd").get_data("/etc/passwd").decode()\n';
      expectError(await hostile('p-loader', code), 'code-error', /open/);
    });

    it('cannot switch off the audit hook by swapping its code', async () => {
      const code = `import sys\ndef m(e):\n    frame = sys._getframe()\n    while frame.f_back is not None:\n        frame = frame.f_back\n    frame.f_globals["audit"].__code__ = (lambda event, args: None).__code__\n    return open("/etc/passwd").read()\n`;
      expectError(await hostile('p-hook', code), 'code-error', /object\.__setattr__/);
    });

    it('cannot build its own bytecode', async () => {
      const code = 'def m(e):\n    return str((lambda: 0).__code__.replace(co_code=b"\\x00\\x00"))\n';
      expectError(await hostile('p-bytecode', code), 'code-error', /code\.__new__/);
    });

    it('cannot undo the limits through the posix module', async () => {
      const code =
        'import sys\ndef m(e):\n    posix = sys.modules["posix"]\n    return str(posix.listdir("."))\n';
      expectError(await hostile('p-posix', code), 'code-error', /os\.listdir/);
    });
  });

  it('left the platform unaffected: no connection, no message, no file, still listening', async () => {
    expect(tcpConnections).toBe(0);
    expect(udpMessages).toBe(0);
    expect(existsSync(sharedFile)).toBe(false);
    expect(server.listening).toBe(true);
    expect(process.env.WAGGLE_HOSTILE_SECRET).toBe(SECRET);
    expect(await waitForNoLeftovers()).toEqual([]);
  });
}

describe.each([
  ['the local sandbox', () => sandbox],
  ["the AWS executor's handler, run here as Lambda's Python runtime would", () => executor],
])('hostile Python metrics on %s', (_where, choose: () => CodeMetricRunner) => {
  beforeAll(() => {
    runner = choose();
  });
  hostileSuite();
});
