"""Security properties of ConvLab, each an assertion that can fail.

1. No code execution of anything: no eval/exec/compile/__import__, no pickle/marshal
   loads, no yaml.load, no subprocess with shell=True, no os.system/os.popen, no
   np.load(allow_pickle=True) anywhere in the app code (app.py, pages/, ui/, conv_core/),
   found by parsing every file with ``ast``. Nothing is allowlisted in app code.
2. Uploads are never written to disk: the lab and the studio run under AppTest with a
   real upload while every way of writing a file is patched to record calls; no write
   may happen. The upload/camera path hands the bytes to conv_core (``getvalue()``).
3. .streamlit/config.toml: upload limit <= 25 MB, XSRF protection on, CORS protection not
   turned off, no usage statistics; and a real `streamlit run` with it refuses an upload
   POST without the XSRF token (403).
4. Only the six image formats reach Pillow: files Pillow can write in other formats
   (ICO, PCX, TGA, PPM, EPS, SGI, ...) are refused with conv_core's not-an-image error
   and no subprocess starts (EPS would run Ghostscript); every ``Image.open`` call in app
   code passes ``formats=``.
5. Nothing loads from the network: no http(s) URL in the components' JS/HTML/CSS (the SVG
   XML namespace is a name, not a request), no fetch/XMLHttpRequest/WebSocket/import()
   in them, no network module imported by app code, and URLs in Python app code only in
   docstrings.
"""

from __future__ import annotations

import ast
import builtins
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import conv_core as cc
from ui.frame.i18n import LANG_KEY

ROOT = Path(__file__).resolve().parents[2]
APP_FILES = sorted(
    [ROOT / "app.py"] + [p for d in ("pages", "ui", "conv_core") for p in (ROOT / d).rglob("*.py")]
)
ASSET_FILES = sorted(p for ext in ("js", "html", "css") for p in (ROOT / "ui").rglob(f"*.{ext}"))
SIX = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF")


def test_the_file_lists_are_not_empty() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in APP_FILES}
    assert {"app.py", "pages/lab.py", "pages/studio.py", "conv_core/image_io.py"} <= names
    assert {p.name for p in ASSET_FILES} >= {"stepper.js", "stepper.html", "draw_grid.js"}


# --------------------------------------------------------------------------------------
# 1. No eval/exec of anything


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


FORBIDDEN_CALLS = {
    "eval", "exec", "compile", "__import__", "builtins.eval", "builtins.exec",
    "builtins.compile", "builtins.__import__", "pickle.loads", "pickle.load",
    "pickle.Unpickler", "marshal.loads", "marshal.load", "yaml.load", "yaml.unsafe_load",
    "yaml.full_load", "os.system", "os.popen", "os.execv", "os.execve", "os.execl",
    "os.spawnl", "os.spawnv", "importlib.import_module", "runpy.run_path",
    "runpy.run_module", "code.interact", "pd.read_pickle", "shelve.open",
}  # fmt: skip
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "yaml", "runpy"}
NETWORK_MODULES = {
    "urllib.request",
    "http.client",
    "requests",
    "httpx",
    "aiohttp",
    "socket",
    "urllib3",
    "ftplib",
    "smtplib",
    "websocket",
    "websockets",
}


def _violations(path: Path, root: Path = ROOT) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in FORBIDDEN_CALLS:
                yield f"{where}:{node.lineno}: call of {name}"
            if name.startswith("subprocess.") or name in ("Popen", "run", "check_output"):
                for kw in node.keywords:
                    if kw.arg == "shell" and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value is False
                    ):
                        yield f"{where}:{node.lineno}: {name}(shell=...)"
            if name.endswith(".load") and name.split(".")[0] in ("np", "numpy"):
                for kw in node.keywords:
                    if kw.arg == "allow_pickle" and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value is False
                    ):
                        yield f"{where}:{node.lineno}: np.load(allow_pickle=...)"
            if name == "getattr" and len(node.args) >= 2:
                attr = node.args[1]
                if isinstance(attr, ast.Constant) and attr.value in ("eval", "exec", "compile"):
                    yield f"{where}:{node.lineno}: getattr(..., {attr.value!r})"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            )
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    yield f"{where}:{node.lineno}: import {name}"
                if name in NETWORK_MODULES or name.split(".")[0] in NETWORK_MODULES:
                    yield f"{where}:{node.lineno}: network import {name}"
                if name in ("builtins.eval", "builtins.exec", "builtins.compile"):
                    yield f"{where}:{node.lineno}: import {name}"


def test_no_code_execution_in_app_code() -> None:
    found = [v for path in APP_FILES for v in _violations(path)]
    assert found == [], "\n".join(found)


def test_the_checker_catches_each_pattern(tmp_path: Path) -> None:
    """The AST check itself finds what it should (so a pass means something)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle, subprocess, os, yaml\nimport builtins\nimport numpy as np\n"
        "eval('1')\nexec('x = 1')\ncompile('1', 'f', 'eval')\nbuiltins.eval('1')\n"
        "pickle.loads(b'')\nyaml.load('a')\nsubprocess.run('ls', shell=True)\n"
        "os.system('ls')\nnp.load('f', allow_pickle=True)\n__import__('os')\n"
        "getattr(builtins, 'exec')('1')\nimport urllib.request\n"
    )
    text = "\n".join(_violations(bad, tmp_path))
    for pattern in (
        "call of eval",
        "call of exec",
        "call of compile",
        "builtins.eval",
        "pickle.loads",
        "yaml.load",
        "shell=",
        "os.system",
        "allow_pickle",
        "call of __import__",
        "getattr",
        "import pickle",
        "network import",
    ):
        assert pattern in text, (pattern, text)
    # re.compile and a string that mentions eval are fine.
    ok = tmp_path / "ok.py"
    ok.write_text("import re\nre.compile('x')\ns = 'eval(1)'\nnp_load = 1\n")
    assert list(_violations(ok, tmp_path)) == []


def test_kernel_text_is_never_evaluated() -> None:
    """A kernel cell or link that is code is refused as text (nothing runs)."""
    from ui.frame import url_state as us

    marker = ROOT / "test-artifacts" / "pwned"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch() or 1"
    with pytest.raises(cc.ArgumentError):
        cc.parse_kernel_cell(code)
    with pytest.raises(cc.ArgumentError):
        cc.parse_kernel([[code]])
    schema = us.Schema(us.KernelParam("kernel", ((1,),)))
    settings, notices = us.decode(schema, {"kernel": code})
    assert settings["kernel"].tolist() == [[1]] and len(notices) == 1
    assert not marker.exists()


# --------------------------------------------------------------------------------------
# 2. Uploads never written to disk


class WriteRecorder:
    """Patches every common way of writing a file; records (what, target)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writes: list[tuple[str, str]] = []
        real_open = builtins.open
        real_os_open = os.open

        def rec_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
                self.writes.append(("open", str(file)))
            return real_open(file, mode, *args, **kwargs)

        def rec_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> Any:
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
                self.writes.append(("os.open", str(path)))
            return real_os_open(path, flags, *args, **kwargs)

        def recorder(what: str, real: Any) -> Any:
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                self.writes.append((what, repr(args[:2])[:200]))
                return real(*args, **kwargs)

            return wrapped

        real_save = Image.Image.save

        def rec_save(im: Image.Image, fp: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(fp, (str, bytes, os.PathLike)) or hasattr(fp, "name"):
                self.writes.append(("Image.save", str(getattr(fp, "name", fp))))
            return real_save(im, fp, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", rec_open)
        monkeypatch.setattr(io, "open", rec_open)
        monkeypatch.setattr(os, "open", rec_os_open)
        monkeypatch.setattr(Image.Image, "save", rec_save)
        for name in (
            "NamedTemporaryFile",
            "TemporaryFile",
            "SpooledTemporaryFile",
            "mkstemp",
            "mkdtemp",
            "TemporaryDirectory",
        ):
            monkeypatch.setattr(
                tempfile, name, recorder(f"tempfile.{name}", getattr(tempfile, name))
            )
        for name in ("write_bytes", "write_text", "touch", "mkdir"):
            monkeypatch.setattr(Path, name, recorder(f"Path.{name}", getattr(Path, name)))
        for name in ("copy", "copyfile", "copy2", "move", "copyfileobj"):
            monkeypatch.setattr(shutil, name, recorder(f"shutil.{name}", getattr(shutil, name)))
        monkeypatch.setattr(np, "save", recorder("np.save", np.save))
        monkeypatch.setattr(np, "savez", recorder("np.savez", np.savez))
        monkeypatch.setattr(
            np, "savez_compressed", recorder("np.savez_compressed", np.savez_compressed)
        )


def _png(side: int = 24) -> bytes:
    rng = np.random.default_rng(5)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _page(name: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state[LANG_KEY] = "en"
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", ["lab", "studio"])
def test_uploads_are_never_written_to_disk(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(page, {"src": "image"} if page == "studio" else None)
    at.button_group(key=f"{page}.image.source").set_value("upload").run()
    assert not at.exception, at.exception
    writes = WriteRecorder(monkeypatch)
    # The file name is one an attacker would choose (Streamlit itself refuses a name whose
    # last extension is not in the uploader's list, so it ends in .png).
    name = "../../<script>evil.php.png"
    at.file_uploader(key=f"{page}.image.upload").upload(name, _png(), "image/png")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # A bad file too (the error path must not save it for inspection either).
    at.file_uploader(key=f"{page}.image.upload").upload("x.png", b"<script>", "image/png")
    at.run()
    assert not at.exception, at.exception
    assert at.error
    assert writes.writes == [], writes.writes
    assert not list(ROOT.parent.glob("*evil.php.png")) and not list(ROOT.glob("*evil*"))


def test_the_recorder_sees_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    writes = WriteRecorder(monkeypatch)
    with open(tmp_path / "a", "wb") as f:
        f.write(b"x")
    (tmp_path / "b").write_bytes(b"x")
    Image.new("L", (1, 1)).save(tmp_path / "c.png")
    tempfile.mkstemp(dir=tmp_path)
    kinds = {w[0] for w in writes.writes}
    assert {"open", "Path.write_bytes", "Image.save", "tempfile.mkstemp"} <= kinds, kinds


def test_upload_and_camera_pass_bytes_to_conv_core() -> None:
    """ui/widgets/image_input.py: uploads and camera photos go through one decoder that reads the
    file's bytes (``getvalue()``) and hands them to conv_core; the file name is only shown."""
    source = (ROOT / "ui" / "widgets" / "image_input.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    decode = ast.unparse(funcs["_decode_file"])
    assert "file.getvalue()" in decode
    assert "_cached_upload(" in decode
    assert "load_image_with_info(_data" in ast.unparse(funcs["_cached_upload"])
    for name in ("image_upload", "image_camera"):
        body = ast.unparse(funcs[name])
        assert "_decode_file(" in body, name
        # The name a browser sends is never used as a path.
        for bad in ("open(", "Path(", ".name)", "os.path"):
            assert bad not in body.replace("str(uploaded.name)", ""), (name, bad)
    lab = ast.unparse(ast.parse((ROOT / "pages" / "lab.py").read_text(encoding="utf-8")))
    for call in re.findall(r"cc\.load_image(?:_with_info)?\(([^,)]*)", lab):
        assert call.strip() == "data", call
    assert "upload.getvalue()" in lab


# --------------------------------------------------------------------------------------
# 3. Streamlit settings


CONFIG = ROOT / ".streamlit" / "config.toml"


def test_streamlit_config() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    server = config.get("server", {})
    assert 1 <= server.get("maxUploadSize", 200) <= 25
    assert server.get("enableXsrfProtection") is True
    assert server.get("enableCORS", True) is True
    assert config.get("browser", {}).get("gatherUsageStats") is False
    assert "maxMessageSize" not in server or server["maxMessageSize"] <= 200


def test_server_refuses_an_upload_without_the_xsrf_token(tmp_path: Path) -> None:
    """A real `streamlit run` from the repo (so it reads .streamlit/config.toml) serves the
    XSRF cookie and refuses a cross-site upload POST that lacks the token."""
    from scripts.local_server import free_port, run_args, wait_healthy

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(  # our own fixed argument list
            [sys.executable, "-m", "streamlit", *run_args(ROOT / "app.py", port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        wait_healthy(url, proc, log)
        # Streamlit sets the cookie on the health check the page polls.
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
            cookies = r.headers.get_all("Set-Cookie") or []
        assert any(c.startswith("_streamlit_xsrf=") for c in cookies), cookies
        boundary = "xx"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + _png(4)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{url}/_stcore/upload_file/session/file-id",
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Origin": "http://evil.example",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403, refused.value.code
        assert b"XSRF" in refused.value.read()
        # With the page's token (cookie + header) the XSRF check passes and the request
        # fails later, for the made-up session (400): so the 403 above was the XSRF check.
        token = next(c for c in cookies if c.startswith("_streamlit_xsrf=")).split(";")[0]
        request.add_header("Cookie", token)
        request.add_header("X-Xsrftoken", token.split("=", 1)[1])
        with pytest.raises(urllib.error.HTTPError) as later:
            urllib.request.urlopen(request, timeout=10)
        assert later.value.code == 400, later.value.code
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------------------
# 4. Only six formats reach Pillow


def test_the_allowlist_is_the_six_formats() -> None:
    assert tuple(cc.IMAGE_FORMATS) == SIX


def _other_formats() -> list[tuple[str, bytes]]:
    """Files Pillow can write here in formats outside the six."""
    made = []
    for fmt, mode in [
        ("ICO", "RGBA"),
        ("PCX", "RGB"),
        ("TGA", "RGB"),
        ("PPM", "RGB"),
        ("EPS", "RGB"),
        ("SGI", "RGB"),
        ("IM", "RGB"),
        ("DDS", "RGBA"),
        ("XBM", "1"),
        ("QOI", "RGB"),
        ("JPEG2000", "RGB"),
        ("PDF", "RGB"),
        ("ICNS", "RGBA"),
        ("SPIDER", "F"),
        ("MSP", "1"),
        ("PALM", "1"),
    ]:
        buf = io.BytesIO()
        try:
            Image.new(mode, (16, 16)).save(buf, format=fmt)
        except (OSError, ValueError, KeyError):
            continue
        try:  # only formats Pillow also reads (so the refusal is the allowlist's doing)
            Image.open(io.BytesIO(buf.getvalue())).close()
        except (OSError, ValueError):
            continue
        made.append((fmt, buf.getvalue()))
    return made


OTHER = _other_formats()


def test_several_other_formats_were_made() -> None:
    assert {"ICO", "PCX", "TGA", "PPM", "EPS"} <= {fmt for fmt, _ in OTHER}, OTHER


@pytest.mark.parametrize("fmt,data", OTHER, ids=[fmt for fmt, _ in OTHER])
def test_other_formats_are_refused(fmt: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow itself reads it (so the refusal is the allowlist's doing, not a broken file)...
    assert Image.open(io.BytesIO(data)).format is not None
    started: list[Any] = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or 1 / 0)
    # ...but conv_core refuses it before any other parser runs.
    with pytest.raises(cc.NotAnImageError):
        cc.load_image(data)
    assert started == [], "no subprocess (Ghostscript for EPS) may start"


def test_image_open_is_called_only_with_formats() -> None:
    calls = []
    for path in APP_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _dotted(node.func).endswith("Image.open"):
                calls.append((path.name, node))
            if (
                isinstance(node, ast.Call)
                and _dotted(node.func) == "open"
                and any(isinstance(a, ast.Attribute) and a.attr == "open" for a in [node.func])
            ):
                calls.append((path.name, node))
    assert calls, "conv_core.image_io opens images"
    for name, node in calls:
        kw = {k.arg: k.value for k in node.keywords}
        assert "formats" in kw, f"{name}:{node.lineno}: Image.open without formats="
        assert "IMAGE_FORMATS" in ast.unparse(kw["formats"]), ast.unparse(kw["formats"])
    # No other module imports Image.open under another name.
    for path in APP_FILES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"from PIL\.Image import .*\bopen\b", text), path


# --------------------------------------------------------------------------------------
# 5. Nothing from the network

URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)
#: XML namespace names (identifiers that are never fetched).
NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
}
NETWORK_JS = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|new\s+WebSocket|EventSource|importScripts|\bimport\s*\(|"
    r"navigator\.sendBeacon|<script[^>]*\bsrc=|<link[^>]*\bhref=|@import|"
    r"(?<!new )\burl\(\s*['\"]?(?!data:|#)",
    re.I,
)


@pytest.mark.parametrize("path", ASSET_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_component_assets_load_nothing_from_the_network(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for ns in NAMESPACES:
        text = text.replace(ns, "")
    assert not URL.findall(text), URL.findall(text)
    assert not NETWORK_JS.findall(text), NETWORK_JS.findall(text)


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_python_app_code_has_urls_only_in_docstrings() -> None:
    found = []
    for path in APP_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and re.search(r"https?://", node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]!r}")
    assert found == [], "\n".join(found)


def test_page_html_loads_nothing_from_the_network() -> None:
    """The HTML/CSS the app injects (st.html, markdown with unsafe_allow_html) carries no
    remote src/href/@import/url()."""
    remote = re.compile(
        r"(src|href)\s*=\s*['\"]?\s*(https?:)?//|@import|url\(\s*['\"]?https?:", re.I
    )
    for path in APP_FILES:
        text = path.read_text(encoding="utf-8")
        assert not remote.search(text), (path, remote.search(text))


def test_no_socket_is_opened_while_a_page_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The studio and the lab run without opening any socket (a CDN or telemetry call would)."""
    opened: list[Any] = []
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        opened.append(address)
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    start = time.perf_counter()
    for page in ("studio", "lab"):
        _page(page)
    assert opened == [], opened
    assert time.perf_counter() - start < 60
