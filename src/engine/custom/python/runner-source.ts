/**
 * The Python side of a Python custom module: a script run with `python -c`
 * (kept here as text so the packaged engine carries it inside its bundle).
 * It loads the user's module once, then runs one sample per framed message.
 *
 * Frames, both ways: a 4-byte little-endian length, that many bytes of UTF-8
 * JSON (the header), then the raw bytes of each array the header lists under
 * `arrays` ({dtype, shape, nbytes}), in order. The protocol uses private
 * copies of fds 0 and 1; fd 1 itself is pointed at stderr and `sys.stdout`
 * collects `print` lines per sample, so nothing the module prints can
 * corrupt a frame.
 */
export const RUNNER_SOURCE = String.raw`
import ast, json, linecache, math, os, random, re, struct, sys, traceback, types

PROTO_IN = os.dup(0)
PROTO_OUT = os.dup(1)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
os.dup2(2, 1)
if sys.platform == "win32":
    import msvcrt
    for _fd in (PROTO_IN, PROTO_OUT):
        msvcrt.setmode(_fd, os.O_BINARY)
_in = open(PROTO_IN, "rb", buffering=0)
_out = open(PROTO_OUT, "wb", buffering=0)


class Lines:
    """sys.stdout: print() lines kept for the sample's reply (last 100, 1000 chars each)."""

    def __init__(self):
        self.lines = []
        self.part = ""

    def write(self, text):
        text = str(text)
        *done, self.part = (self.part + text).split("\n")
        self.lines.extend(line[:1000] for line in done)
        del self.lines[:-100]
        return len(text)

    def flush(self):
        pass

    def take(self):
        if self.part:
            self.lines.append(self.part[:1000])
            self.part = ""
        lines, self.lines = self.lines[-100:], []
        return lines


LINES = Lines()
sys.stdout = LINES


def read_exact(n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = _in.readinto(view[got:])
        if not k:
            sys.exit(0)
        got += k
    return buf


def write_all(data):
    view = memoryview(data).cast("B")
    while len(view):
        view = view[_out.write(view):]


def send(header, arrays=()):
    body = json.dumps(header, allow_nan=False).encode("utf-8")
    write_all(struct.pack("<I", len(body)) + body)
    for a in arrays:
        if a.nbytes:
            write_all(a)


def receive():
    header = json.loads(read_exact(struct.unpack("<I", read_exact(4))[0]).decode("utf-8"))
    return header, [read_exact(spec["nbytes"]) for spec in header.get("arrays", [])]


try:
    import numpy as np
except ImportError as e:
    send({"type": "no-numpy", "message": str(e)})
    sys.exit(0)

DTYPES = {"float32": np.float32, "uint8": np.uint8, "uint16": np.uint16, "int16": np.int16}
FILENAME = "module.py"
TYPE_NAMES = {float: "number", int: "integer", bool: "boolean", str: "string",
              "number": "number", "float": "number", "integer": "integer", "int": "integer",
              "boolean": "boolean", "bool": "boolean", "string": "string", "str": "string"}
PARAM_KEYS = ("type", "default", "description", "min", "max", "choices", "optional")
COLOR_MODES = ("grayscale", "rgb")


def user_line(tb):
    """(line, column) of the innermost frame in the user's file."""
    found = (0, 0)
    for frame in traceback.extract_tb(tb):
        if frame.filename == FILENAME:
            found = (frame.lineno or 0, (getattr(frame, "colno", None) or 0) + 1)
    return found


def user_traceback(error):
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == FILENAME]
    text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames))
    return (text + "".join(traceback.format_exception_only(type(error), error))).rstrip().split("\n")


def describe(error):
    return type(error).__name__ + ": " + str(error) if str(error) else type(error).__name__


def positions(tree):
    """Lines of the top-level names and of each PARAMS entry and field, for problems."""
    at = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            at[node.name] = node.lineno
        for target in targets:
            if isinstance(target, ast.Name):
                at[target.id] = node.lineno
                if target.id == "PARAMS" and isinstance(node.value, ast.Dict):
                    for key, value in zip(node.value.keys, node.value.values):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            at["PARAMS." + key.value] = key.lineno
                            if isinstance(value, ast.Dict):
                                for k in value.keys:
                                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                                        at["PARAMS." + key.value + "." + k.value] = k.lineno
    return at


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_param(name, spec, problem):
    where = "PARAMS." + str(name)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return problem(where, "PARAMS: parameter names are letters, digits and _ (got %r)" % (name,))
    if not isinstance(spec, dict):
        return problem(where, 'PARAMS["%s"] must be a dict like {"type": "number", "default": 1}' % name)
    for key in spec:
        if key not in PARAM_KEYS:
            return problem(where + "." + str(key), 'PARAMS["%s"]: unknown key %r (known: %s)' % (name, key, ", ".join(PARAM_KEYS)))
    default = spec.get("default")
    kind = spec.get("type")
    if kind is None:
        kind = "boolean" if isinstance(default, bool) else "string" if isinstance(default, str) or "choices" in spec else "number"
    elif kind not in TYPE_NAMES:
        return problem(where + ".type", 'PARAMS["%s"]["type"] must be "number", "integer", "boolean" or "string" (or float, int, bool, str), got %r' % (name, kind))
    else:
        kind = TYPE_NAMES[kind]
    out = {"type": kind}
    bad = lambda key, text: problem(where + "." + key, 'PARAMS["%s"]["%s"] %s' % (name, key, text))
    for key, field in (("min", "minimum"), ("max", "maximum")):
        if key in spec:
            if kind == "boolean" or "choices" in spec:
                return bad(key, "is for numbers and strings")
            if not is_number(spec[key]):
                return bad(key, "must be a finite number, got %r" % (spec[key],))
            out[("minLength" if key == "min" else "maxLength") if kind == "string" else field] = spec[key]
    if "choices" in spec:
        choices = spec["choices"]
        if kind != "string" or not isinstance(choices, (list, tuple)) or not choices or not all(isinstance(c, str) for c in choices):
            return bad("choices", "must be a non-empty list of strings (for a string parameter)")
        out["enum"] = list(choices)
    if "description" in spec:
        if not isinstance(spec["description"], str):
            return bad("description", "must be a string")
        out["description"] = spec["description"]
    if "optional" in spec:
        if not isinstance(spec["optional"], bool):
            return bad("optional", "must be True or False")
        out["optional"] = spec["optional"]
    if "default" in spec:
        ok = {"number": is_number(default), "integer": is_number(default) and float(default).is_integer(),
              "boolean": isinstance(default, bool), "string": isinstance(default, str)}[kind]
        if not ok:
            return bad("default", "must be %s, got %r" % ({"number": "a finite number", "integer": "a whole number", "boolean": "True or False", "string": "a string"}[kind], default))
        if "enum" in out and default not in out["enum"]:
            return bad("default", "%r is not one of the choices" % (default,))
        out["default"] = int(default) if kind == "integer" else default
    elif not out.get("optional"):
        return problem(where, 'PARAMS["%s"] needs a "default" (the value a new node starts with) or "optional": True' % name)
    return out


def declaration(ns, at):
    problems = []

    def problem(where, message):
        line = at.get(where) or at.get(where.rsplit(".", 1)[0]) or (at.get("PARAMS", 0) if where.startswith("PARAMS") else 0)
        problems.append({"message": message, "line": line, "column": 1 if line else 0})

    params = ns.get("PARAMS", {})
    out = {"params": {}}
    if not isinstance(params, dict):
        problem("PARAMS", 'PARAMS must be a dict: {"name": {"type": "number", "default": 1, "description": "..."}}')
    else:
        for name, spec in params.items():
            checked = check_param(name, spec, problem)
            if checked:
                out["params"][name] = checked
    accepts = ns.get("ACCEPTS")
    if accepts is not None:
        modes = accepts.get("color_modes") if isinstance(accepts, dict) else None
        if not isinstance(accepts, dict) or set(accepts) - {"color_modes"} or not isinstance(modes, (list, tuple)) or not modes or not all(m in COLOR_MODES for m in modes):
            problem("ACCEPTS", 'ACCEPTS must look like {"color_modes": ["grayscale"]} (grayscale and/or rgb)')
        else:
            out["accepts"] = {"colorModes": list(modes)}
    produces = ns.get("PRODUCES")
    if produces is not None:
        if not isinstance(produces, dict) or set(produces) - {"color_mode"} or produces.get("color_mode") not in COLOR_MODES:
            problem("PRODUCES", 'PRODUCES must look like {"color_mode": "grayscale"} (or "rgb")')
        else:
            out["produces"] = {"colorMode": produces["color_mode"]}
    if not callable(ns.get("run")):
        problem("run", "The module must define run(data, params, ctx)")
    return out, problems


def load(message):
    global FILENAME, RUN, NUMBERS
    FILENAME = message["filename"]
    source = message["source"]
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    try:
        code = compile(source, FILENAME, "exec", dont_inherit=True)
        tree = ast.parse(source, FILENAME)
    except SyntaxError as e:
        return send({"type": "load-failed", "errors": [{"message": type(e).__name__ + ": " + str(e.msg), "line": e.lineno or 0, "column": e.offset or 0}]})
    except ValueError as e:
        return send({"type": "load-failed", "errors": [{"message": describe(e), "line": 0, "column": 0}]})
    ns = {"__name__": "phi_module", "__file__": FILENAME}
    try:
        exec(code, ns)
    except BaseException as e:
        line, column = user_line(e.__traceback__)
        return send({"type": "load-failed", "errors": [{"message": describe(e), "line": line, "column": column}], "logs": LINES.take()})
    at = positions(tree)
    declared, problems = declaration(ns, at)
    if problems:
        return send({"type": "load-failed", "errors": problems, "logs": LINES.take()})
    RUN = ns["run"]
    NUMBERS = {name for name, p in declared["params"].items() if p["type"] == "number"}
    send({"type": "loaded", "declaration": declared, "paramLines": {k[7:]: v for k, v in at.items() if k.count(".") == 1 and k.startswith("PARAMS.")}, "logs": LINES.take()})


def rebuild(value, arrays):
    if isinstance(value, dict):
        if "__phiArray" in value and len(value) == 1:
            return arrays[value["__phiArray"]]
        return {k: rebuild(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [rebuild(v, arrays) for v in value]
    return value


def flatten(value, path, arrays):
    """JSON-able copy of a returned value; numpy arrays become markers listed in arrays."""
    if isinstance(value, np.ndarray):
        name = value.dtype.name
        if name not in DTYPES:
            hint = " (e.g. .astype(np.float32))" if value.dtype.kind in "fiub" else ""
            raise TypeError("%s is a %s array: arrays must be float32, uint8, uint16 or int16%s" % (path, name, hint))
        arrays.append(np.ascontiguousarray(value))
        return {"__phiArray": len(arrays) - 1}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): flatten(v, "%s[%r]" % (path, k), arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [flatten(v, "%s[%d]" % (path, i), arrays) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("%s is %r: JSON has no NaN or infinity" % (path, value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError("%s is a %s: return numbers, strings, lists, dicts and numpy arrays" % (path, type(value).__name__))


def run(message, buffers):
    seq = message["seq"]
    arrays = [np.frombuffer(buf, dtype=DTYPES[spec["dtype"]]).reshape(spec["shape"])
              for spec, buf in zip(message["arrays"], buffers)]
    data = rebuild(message["sample"], arrays)
    seed = message["seed"]
    random.seed(seed)
    np.random.seed(seed)
    ctx = types.SimpleNamespace(node_id=message["nodeId"], split=message.get("split"), seed=seed, rng=np.random.default_rng(seed))
    try:
        # JSON writes 2.0 as 2: give "number" params back their float type (int16 * 2 would stay int16).
        params = {k: float(v) if k in NUMBERS and v is not None else v for k, v in message["params"].items()}
        result = RUN(data, params, ctx)
    except BaseException as e:
        line, column = user_line(e.__traceback__)
        logs = LINES.take() + user_traceback(e)
        return send({"type": "run-failed", "seq": seq, "error": {"message": describe(e), "line": line, "column": column}, "logs": logs})
    out = []
    try:
        if result is not None and not isinstance(result, dict):
            raise TypeError("run() must return the sample (data) or None, got %s" % type(result).__name__)
        sample = None if result is None else flatten(result, "data", out)
        header = {"type": "result", "seq": seq, "sample": sample, "logs": LINES.take(),
                  "arrays": [{"dtype": a.dtype.name, "shape": list(a.shape), "nbytes": a.nbytes} for a in out]}
        json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as e:
        return send({"type": "run-failed", "seq": seq, "error": {"message": str(e)}, "logs": LINES.take()})
    send(header, out)


RUN = None
NUMBERS = set()
while True:
    message, buffers = receive()
    if message["type"] == "load":
        load(message)
    elif message["type"] == "run":
        run(message, buffers)
`;
