"""The structure holds: layers never import back up (import-linter, contracts in pyproject.toml),
reads and rules never reach for the request, and one way does each common thing."""
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "portal"
# Reads and changes run outside a request too (jobs, the demo, the command line): no request state.
REQUEST_STATE = {"request", "session", "flash", "url_for", "g", "current_user", "render_template"}


def test_layers_are_kept():
    script = ("import sys; from importlinter.cli import lint_imports; "
              "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("flask.")}
    return names


def test_rules_and_queries_never_touch_the_request():
    offenders = {}
    for path in PORTAL.rglob("*.py"):
        if path.name in ("rules.py", "queries.py", "documents.py", "tasks.py"):
            used = _imported_names(path) & REQUEST_STATE
            if used:
                offenders[str(path.relative_to(ROOT))] = sorted(used)
    assert not offenders, offenders


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            yield node


def _http_methods(function: ast.FunctionDef) -> set[str]:
    methods = set()
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            if decorator.func.attr == "get":
                methods.add("GET")
            elif decorator.func.attr == "post":
                methods.add("POST")
            elif decorator.func.attr == "route":
                found = [kw.value for kw in decorator.keywords if kw.arg == "methods"]
                methods |= {e.value for e in found[0].elts} if found else {"GET"}
    return methods


def test_views_commit_only_through_the_submit_path():
    """No view commits by itself: every form post goes through core.forms.submit, and a GET
    never writes. (Logging in and out commit themselves: a refused login is kept for throttling.)"""
    offenders = []
    for path in PORTAL.rglob("views.py"):
        for function in _functions(path):
            source = ast.get_source_segment(path.read_text(encoding="utf-8"), function) or ""
            methods = _http_methods(function)
            if "session.commit" in source and (methods == {"GET"} or path.parent.name != "auth"):
                offenders.append(f"{path.relative_to(ROOT)}:{function.name}")
    assert not offenders, offenders


def test_one_clock_one_submit_helper():
    """Time comes from core.clock.now (tests freeze it); datetime.now/utcnow appear nowhere else."""
    clock = re.compile(r"datetime\.(utc)?now\(|date\.today\(|\butcnow\(")
    offenders = [str(p.relative_to(ROOT)) for p in PORTAL.rglob("*.py")
                 if p != PORTAL / "core" / "clock.py" and clock.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders
    helpers = [p for p in PORTAL.rglob("*.py") if re.search(r"^def (save_form|submit)\(", p.read_text(encoding="utf-8"),
                                                            re.M)]
    assert helpers == [PORTAL / "core" / "forms.py"]
