/**
 * Python code metrics on this machine: the sandbox harness (lambdas/evaluator-executor/harness.py,
 * the same file the AWS executor runs) in a `python3 -I -S -B` child process per evaluation, with an
 * empty environment, a scratch directory, a wall-clock limit that kills its whole process group and
 * caps on what is read of its output. The harness applies the kernel limits and its audit hook to
 * itself before it reads the request (docs/python-metrics.md).
 *
 * Latency: a fresh interpreter takes ~60 ms to load the allowed modules, so after a run the sandbox
 * starts the next process for the same project in advance. Each process still runs exactly one
 * evaluation and is never handed to another project.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HarnessProcessReport, outcomeOfHarnessRun } from '../../domain/evaluators/code/process-outcome';
import {
  type CodeLimits,
  codeTooLarge,
  DEFAULT_CODE_LIMITS,
  harnessLimitsArgument,
  inputTooLarge,
  utf8Length,
} from '../../domain/evaluators/code-limits';
import type {
  CodeMetricRunner,
  CodeRunRequest,
  EvaluationOutcome,
  ReturnType,
} from '../../domain/evaluators/evaluator';

export const HARNESS_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../evaluator-executor/harness.py',
);

export const PYTHON_MISSING_MESSAGE =
  'python3 was not found: install python3 (3.10 or newer) to run Python code metrics locally';

export interface PythonSandboxOptions {
  /** The interpreter; default: `python3` on PATH, resolved once to its real executable. */
  python?: string;
  limits?: Partial<CodeLimits>;
  /** Start each project's next process after a run (default true); off: every run starts cold. */
  prewarm?: boolean;
  /** Projects with a process waiting at most (default 32); the least recently used is stopped. */
  maxWarmProjects?: number;
  /** A waiting process is stopped after this long unused (default 60 s). */
  warmIdleMs?: number;
}

/** Finds the real interpreter: the child gets no PATH, and launcher shims (pyenv) need their environment. */
export function resolvePython(command = 'python3'): Promise<string> {
  return new Promise((resolvePath, reject) => {
    execFile(
      command,
      ['-I', '-S', '-c', 'import sys; print(sys.executable); print(sys.version_info >= (3, 10))'],
      { timeout: 10_000 },
      (failure, stdout) => {
        const [executable, recent] = stdout.trim().split('\n');
        if (failure || !executable)
          return reject(new Error(`${PYTHON_MISSING_MESSAGE} (${failure?.message ?? 'no output'})`));
        if (recent !== 'True') return reject(new Error(`${PYTHON_MISSING_MESSAGE}: ${executable} is older`));
        resolvePath(executable);
      },
    );
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    // detached: the child leads its own process group; anything it started goes with it.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** One interpreter that runs one evaluation, then is gone. */
class HarnessProcess {
  private readonly child: ChildProcess;
  private readonly scratch: string;
  private stdout = '';
  private stderr = '';
  private outputExceeded = false;
  private exited: Promise<{ code: number | null; signal: string | null }>;
  private spawnFailure?: Error;
  private used = false;
  idleTimer?: NodeJS.Timeout;

  constructor(
    python: string,
    private readonly limits: CodeLimits,
  ) {
    this.scratch = mkdtempSync(join(tmpdir(), 'waggle-metric-'));
    this.child = spawn(python, ['-I', '-S', '-B', HARNESS_PATH, harnessLimitsArgument(limits)], {
      cwd: this.scratch,
      env: {},
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((settle) => {
      this.child.once('error', (failure) => {
        this.spawnFailure = failure;
        settle({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => settle({ code, signal }));
    });
    void this.exited.then(() => this.cleanUp());
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.stdout = this.capped(this.stdout, chunk, limits.stdoutBytes);
    });
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = this.capped(this.stderr, chunk, limits.stderrBytes);
    });
    // A process that died before its request was written: the write fails, the exit tells why.
    this.child.stdin?.on('error', () => {});
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.spawnFailure === undefined;
  }

  private capped(kept: string, chunk: string, limit: number): string {
    if (this.outputExceeded) return kept;
    if (utf8Length(kept) + utf8Length(chunk) > limit) {
      this.outputExceeded = true;
      killGroup(this.child);
      return kept;
    }
    return kept + chunk;
  }

  private cleanUp(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    killGroup(this.child);
    rmSync(this.scratch, { recursive: true, force: true });
  }

  stop(): void {
    killGroup(this.child);
  }

  async execute(request: string, returnType: ReturnType): Promise<EvaluationOutcome> {
    if (this.used) throw new Error('a harness process runs one evaluation only');
    this.used = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(this.child);
    }, this.limits.wallClockMs);
    this.child.stdin?.end(request);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    const durationMs = Math.round(performance.now() - started);
    if (this.spawnFailure) {
      const missing = (this.spawnFailure as NodeJS.ErrnoException).code === 'ENOENT';
      return {
        status: 'error',
        error: {
          kind: 'sandbox-error',
          message: missing
            ? PYTHON_MISSING_MESSAGE
            : `the sandbox did not start: ${this.spawnFailure.message}`,
        },
        durationMs,
      };
    }
    const report: HarnessProcessReport = {
      stdout: this.stdout,
      stderr: this.stderr,
      exitCode: code,
      signal,
      timedOut,
      outputExceeded: this.outputExceeded,
      durationMs,
      wallClockMs: this.limits.wallClockMs,
    };
    return outcomeOfHarnessRun(report, returnType);
  }
}

/** CodeMetricRunner on the local CPython; never throws for the code's own faults. */
export class PythonSandbox implements CodeMetricRunner {
  readonly limits: CodeLimits;
  private python?: Promise<string>;
  private readonly warm = new Map<string, HarnessProcess>();
  private closed = false;

  constructor(private readonly options: PythonSandboxOptions = {}) {
    this.limits = { ...DEFAULT_CODE_LIMITS, ...options.limits };
  }

  private interpreter(): Promise<string> {
    if (!this.python) {
      this.python = resolvePython(this.options.python);
      // A later call may find python3 after it was installed.
      this.python.catch(() => {
        this.python = undefined;
      });
    }
    return this.python;
  }

  async run(request: CodeRunRequest): Promise<EvaluationOutcome> {
    const { projectId, code, returnType, input } = request;
    const body = JSON.stringify({ code, return_type: returnType, input });
    const refused = codeTooLarge(code, this.limits) ?? inputTooLarge(body, this.limits);
    if (refused) return refused;
    let python: string;
    try {
      python = await this.interpreter();
    } catch (failure) {
      return {
        status: 'error',
        error: { kind: 'sandbox-error', message: (failure as Error).message },
        durationMs: 0,
      };
    }
    const harness = this.takeWarm(projectId) ?? new HarnessProcess(python, this.limits);
    try {
      return await harness.execute(body, returnType);
    } finally {
      this.prepare(projectId, python);
    }
  }

  /** Starts a process for the project's next run (the first run of a project starts cold). */
  warmUp(projectId: string): Promise<void> {
    return this.interpreter().then((python) => this.prepare(projectId, python));
  }

  private takeWarm(projectId: string): HarnessProcess | undefined {
    const harness = this.warm.get(projectId);
    this.warm.delete(projectId);
    if (harness?.alive) return harness;
    harness?.stop();
    return undefined;
  }

  private prepare(projectId: string, python: string): void {
    if (this.closed || this.options.prewarm === false || this.warm.has(projectId)) return;
    const max = this.options.maxWarmProjects ?? 32;
    while (this.warm.size >= max) {
      const [oldest] = this.warm.keys();
      if (oldest === undefined) break;
      this.warm.get(oldest)?.stop();
      this.warm.delete(oldest);
    }
    const harness = new HarnessProcess(python, this.limits);
    harness.idleTimer = setTimeout(() => {
      if (this.warm.get(projectId) === harness) this.warm.delete(projectId);
      harness.stop();
    }, this.options.warmIdleMs ?? 60_000);
    harness.idleTimer.unref();
    this.warm.set(projectId, harness);
  }

  /** Stops the waiting processes; runs in progress finish. */
  close(): void {
    this.closed = true;
    for (const harness of this.warm.values()) harness.stop();
    this.warm.clear();
  }
}
