"""Waggle's sandbox harness for Python code metrics (docs/python-metrics.md).

Run as `python3 -I -S -B harness.py '<limits JSON>'` with an empty environment in a scratch
directory, one process per evaluation. It confines itself first (resource limits, an unprivileged
user when started as root, the allowed modules loaded, an audit hook that refuses every other
side effect), then reads one request from stdin:

    {"code": "...", "return_type": "float" | "boolean" | "string", "input": {...event...}}

and writes two lines on stdout: {"phase": "running"} once the request is read (whatever happens
after it is the code's doing), then the result,

    {"status": "ok", "value": ..., "explanation": "what the code printed"}
    {"status": "error", "kind": "code-error" | "invalid-return" | ..., "message": "..."}

HoneyHive's contract: the first function defined at the top level of the snippet is called with the
event (a dict: inputs, outputs, metadata, config, feedback, metrics, user_properties, and
ground_truth when present); its return value is the score, converted to the return type.

Python 3.10+ standard library only.
"""

import json
import posix
import resource
import sys

# What a metric may import: loaded before the audit hook is installed, because after it no module
# can be loaded (loading one opens files). Everything these import is available too.
ALLOWED_MODULES = (
    "json",
    "re",
    "math",
    "statistics",
    "collections",
    "itertools",
    "functools",
    "datetime",
    "string",
    "random",
    "decimal",
    "fractions",
    "difflib",
    "textwrap",
    "unicodedata",
    "operator",
    "heapq",
    "bisect",
    "copy",
    "typing",
)

NOBODY = 65534
SNIPPET_FILENAME = "<metric>"
PYCF_ONLY_AST = 0x400


class OutputLimitExceeded(BaseException):
    """Raised into the code when it prints more than it may (BaseException: `except Exception` keeps going)."""


def confine(limits):
    """The kernel's limits, then an unprivileged user. Nothing here can be undone by the code."""
    cpu = int(limits["cpu_seconds"])
    memory = int(limits["memory_bytes"])
    # Past the soft CPU limit the kernel sends SIGXCPU, past the hard one SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    # No file may grow: writes fail with EFBIG (CPython ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # No new process or thread for this user (the kernel does not apply it to root: see below).
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    files = int(limits["open_files"])
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))


def drop_root():
    """After the modules are loaded: the standard library may live where only root can read."""
    if posix.geteuid() == 0:
        # Root ignores RLIMIT_NPROC and reads every file; nobody owns nothing here. The scratch
        # directory (our cwd) belongs to the runner's user, so nobody cannot even list it.
        posix.setgroups([])
        posix.setgid(NOBODY)
        posix.setuid(NOBODY)
        if posix.geteuid() == 0 or posix.getuid() == 0:
            raise RuntimeError("could not leave root")


def preload():
    for name in ALLOWED_MODULES:
        __import__(name)


def audit(event, args):
    """Refuses every audited operation except those plain computation needs.

    Written so that nothing the code can change decides what is allowed: the allowed set is a
    constant of this function's code, the arguments are compared as the interpreter passes them,
    and any failure in here (even a missing builtin) still refuses. Replacing this function's
    __code__ is itself refused.
    """
    if event in {
        "compile",
        "exec",
        "sys._getframe",
        "object.__getattr__",
        "object.__delattr__",
        "builtins.id",
        "time.sleep",
    }:
        return
    if event == "object.__setattr__" and args[1] != "__code__":
        return
    if event == "import":
        raise ImportError("module not available in the metric sandbox: " + str(args[0]))
    raise PermissionError("not allowed in the metric sandbox: " + event)


class Capture:
    """sys.stdout and sys.stderr of the code: what it prints, up to a cap."""

    def __init__(self, cap):
        self.cap = cap
        self.parts = []
        self.size = 0
        self.exceeded = False

    def write(self, text):
        text = str(text)
        self.size += len(text)
        if self.size > self.cap:
            self.exceeded = True
            raise OutputLimitExceeded("the metric printed more than " + str(self.cap) + " characters")
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def text(self):
        return "".join(self.parts)


def first_function_name(tree):
    for node in tree.body:
        kind = type(node).__name__
        if kind in ("FunctionDef", "AsyncFunctionDef"):
            return node.name, kind == "AsyncFunctionDef"
    return None, False


def where(error, source_lines):
    """The snippet's frames of a traceback, innermost last (the harness's own are left out)."""
    out = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == SNIPPET_FILENAME:
            line = tb.tb_lineno
            text = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
            out.append("  line " + str(line) + ", in " + code.co_name + (": " + text if text else ""))
        tb = tb.tb_next
    return out[-5:]


def describe(error, source_lines):
    head = type(error).__name__ + ": " + str(error)
    if isinstance(error, SyntaxError):
        return "SyntaxError: " + str(error.msg) + " (line " + str(error.lineno) + ")"
    lines = where(error, source_lines)
    return "\n".join(lines + [head]) if lines else head


class Refusal(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def is_finite(number):
    return number == number and number not in (float("inf"), float("-inf"))


def convert(value, return_type, value_chars):
    if return_type == "float":
        if type(value) is bool:
            return 1.0 if value else 0.0
        if type(value) in (int, float):
            number = float(value)
        elif type(value) is str:
            try:
                number = float(value.strip())
            except ValueError:
                raise Refusal("invalid-return", "expected a number, got the string " + repr(value[:100]))
        else:
            raise Refusal("invalid-return", "expected a number, got " + type(value).__name__)
        if not is_finite(number):
            raise Refusal("invalid-return", "the score must be a finite number, got " + repr(number))
        return number
    if return_type == "boolean":
        if type(value) is bool:
            return value
        if type(value) is int and value in (0, 1):
            return value == 1
        if type(value) is str and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise Refusal("invalid-return", "expected a boolean (or \"true\"/\"false\"), got " + repr(value)[:100])
    if return_type == "string":
        if type(value) is str:
            text = value
        elif type(value) is bool:
            text = "true" if value else "false"
        elif type(value) in (int, float) and is_finite(float(value)):
            text = json.dumps(value)
        else:
            raise Refusal("invalid-return", "expected a string, got " + type(value).__name__)
        if len(text) > value_chars:
            raise Refusal("output-limit", "the string score is longer than " + str(value_chars) + " characters")
        return text
    raise Refusal("code-error", "unknown return type " + repr(return_type))


def evaluate(request, limits, capture):
    code = request.get("code")
    if type(code) is not str:
        raise Refusal("code-error", "no code")
    if len(code.encode("utf-8")) > int(limits["code_bytes"]):
        raise Refusal("code-too-large", "the code is larger than " + str(limits["code_bytes"]) + " bytes")
    source_lines = code.splitlines()
    event = request.get("input")
    if type(event) is not dict:
        raise Refusal("code-error", "the event is not an object")
    try:
        tree = compile(code, SNIPPET_FILENAME, "exec", PYCF_ONLY_AST)
        name, is_async = first_function_name(tree)
        if name is None:
            raise Refusal("code-error", "the code defines no function (its first function is called with the event)")
        if is_async:
            raise Refusal("code-error", "the first function is async; define it with def")
        namespace = {"__name__": "metric", "__builtins__": __builtins__}
        exec(compile(tree, SNIPPET_FILENAME, "exec"), namespace)
        function = namespace.get(name)
        if not callable(function):
            raise Refusal("code-error", "the first function, " + name + ", is no longer defined")
        value = function(event)
    except Refusal:
        raise
    except OutputLimitExceeded as error:
        raise Refusal("output-limit", str(error))
    except MemoryError:
        raise Refusal("memory-limit", "the metric ran out of memory")
    except RecursionError as error:
        raise Refusal("code-error", describe(error, source_lines))
    except BaseException as error:  # noqa: BLE001 - anything the code raised is its error
        raise Refusal("code-error", describe(error, source_lines))
    if capture.exceeded:
        raise Refusal("output-limit", "the metric printed more than " + str(capture.cap) + " characters")
    return convert(value, request.get("return_type"), int(limits["value_chars"]))


def main():
    out = sys.stdout
    limits = json.loads(sys.argv[1])
    try:
        confine(limits)
        preload()
        drop_root()
        sys.addaudithook(audit)
    except BaseException as error:  # noqa: BLE001
        out.write(json.dumps({"status": "error", "kind": "sandbox-error", "message": "setup: " + repr(error)}) + "\n")
        out.flush()
        posix._exit(70)

    raw = sys.stdin.buffer.read(int(limits["input_bytes"]) + 1)
    if len(raw) > int(limits["input_bytes"]):
        result = {"status": "error", "kind": "sandbox-error", "message": "the request is larger than the input limit"}
        out.write(json.dumps(result) + "\n")
        out.flush()
        posix._exit(0)
    request = json.loads(raw)
    out.write('{"phase": "running"}\n')
    out.flush()

    capture = Capture(int(limits["explanation_chars"]))
    sys.stdout = capture
    sys.stderr = capture
    try:
        value = evaluate(request, limits, capture)
        result = {"status": "ok", "value": value}
        printed = capture.text().strip()
        if printed:
            result["explanation"] = printed
    except Refusal as refusal:
        result = {"status": "error", "kind": refusal.kind, "message": refusal.message[:2000]}
    except MemoryError:
        result = {"status": "error", "kind": "memory-limit", "message": "the metric ran out of memory"}
    except BaseException as error:  # noqa: BLE001 - e.g. a value whose conversion raised
        result = {"status": "error", "kind": "code-error", "message": (type(error).__name__ + ": " + str(error))[:2000]}
    line = json.dumps(result, ensure_ascii=False)
    if len(line.encode("utf-8")) > int(limits["result_bytes"]):
        line = json.dumps({"status": "error", "kind": "output-limit", "message": "the result is too large"})
    out.write(line + "\n")
    out.flush()
    # Threads the code may have started die with the process; nothing of it outlives the run.
    posix._exit(0)


if __name__ == "__main__":
    main()
