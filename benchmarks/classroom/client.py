"""A student's browser at the protocol level: Streamlit's own WebSocket protocol, no browser.

One :class:`StudentSession` does what the browser's frontend does over the wire:

* ``GET /_stcore/health`` (the page's first request), which sets the XSRF cookie
  ``_streamlit_xsrf`` (XSRF protection is on in ``.streamlit/config.toml``);
* opens ``ws://<host>/_stcore/stream`` with the ``Sec-WebSocket-Protocol`` header
  ``streamlit, <xsrf token>`` (the frontend repurposes the subprotocol list to carry the
  token; the server reads its second entry) and a same-origin ``Origin`` header;
* sends ``BackMsg.rerun_script`` with a ``ClientState`` (query string, page, the widget
  values it holds, the hashes of the cacheable messages it keeps) and reads ``ForwardMsg``
  frames: ``new_session`` (session id, pages), ``delta`` (elements: widget ids and their
  options, exception elements), ``page_info_changed`` (the query string), ``ref_hash``
  (a cached message re-used) and ``script_finished``;
* uploads a file as the browser's file uploader does: ``BackMsg.file_urls_request`` ->
  ``ForwardMsg.file_urls_response``, a multipart ``PUT`` to the upload URL with the
  ``X-Xsrftoken`` header and the XSRF cookie, then a rerun carrying the uploader's
  ``FileUploaderState``.

Widgets are found by their key: a keyed widget's id ends in ``-<key>``. Option widgets
(radio, selectbox, segmented control, multiselect) send their *formatted* option labels,
as Streamlit's frontend does; the client takes the labels from the element.

Tested with Streamlit 1.67 only (:data:`STREAMLIT_TESTED`): the wire format is Streamlit's
internal protocol and changes between releases, so :func:`check_streamlit_version` refuses
other versions with a clear message.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import streamlit
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

#: Streamlit versions this client is tested with (major, minor).
STREAMLIT_TESTED = ((1, 67),)
XSRF_COOKIE = "_streamlit_xsrf"
#: The header the school's load balancer adds to every response: the replica that answered.
REPLICA_HEADER = "X-ConvLab-Replica"
SUCCESS = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
#: Widget kinds that hold a value the browser sends back on every rerun.
OPTION_KINDS = {"radio", "selectbox", "button_group", "multiselect"}
#: Widget values a browser sends once, for the run they trigger, and never holds.
TRIGGER_KINDS = frozenset({"trigger_value", "string_trigger_value", "json_trigger_value"})


class SessionFailed(RuntimeError):
    """A student's session broke: no answer in time, a closed socket, a refused upload."""


def check_streamlit_version(version: str = streamlit.__version__) -> None:
    """Raise RuntimeError unless ``version`` is one this client is tested with."""
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    if major_minor not in STREAMLIT_TESTED:
        tested = ", ".join(f"{a}.{b}.x" for a, b in STREAMLIT_TESTED)
        raise RuntimeError(
            f"the classroom load client speaks Streamlit's internal WebSocket protocol and is "
            f"tested with Streamlit {tested} only; this is Streamlit {version}. Check "
            "benchmarks/classroom/client.py against the new version (BackMsg/ForwardMsg, the "
            "XSRF subprotocol, the upload route) and add it to STREAMLIT_TESTED."
        )


@dataclass
class Widget:
    """A widget element of the last completed run."""

    id: str
    kind: str
    proto: Any

    @property
    def options(self) -> list[str]:
        """The formatted option labels (what the browser sends) of an option widget."""
        if self.kind == "button_group":
            return [opt.content for opt in self.proto.options]
        return list(self.proto.options)


@dataclass
class RunResult:
    """One rerun as the student sees it: from sending the request to ``script_finished``."""

    seconds: float
    exceptions: list[str] = field(default_factory=list)


class StudentSession:
    """One student's connection to a ``streamlit run`` server (see the module docstring)."""

    def __init__(self, base_url: str, *, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.timeout_s = timeout_s
        # Every HTTP request opens its own connection: a pooled keep-alive connection that
        # the server closed while idle (uvicorn: after 5 s) fails the next request, where a
        # browser would silently retry.
        self.xsrf = ""
        # The browser's cookie jar: the XSRF cookie and, behind the school's load balancer,
        # its sticky replica cookie, sent with every request as a browser sends them.
        self.cookies: dict[str, str] = {}
        # Which replica answered each request (the load balancer's X-ConvLab-Replica header;
        # empty against one server): the school's tests check a browser never changes.
        self.replicas: list[str] = []
        self.ws: Any = None
        self.session_id = ""
        self.page_script_hash = ""
        self.page_name = ""
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.widgets: dict[str, Widget] = {}  # id -> widget, from the last completed run
        self.values: dict[str, WidgetState] = {}  # the widget values this browser holds
        self.exceptions: list[str] = []  # exception elements seen (all runs)
        self.bytes_received = 0
        self.texts: list[str] = []  # markdown, caption, heading and alert texts of the last run
        self.error_alerts: list[str] = []  # st.error texts of the last run
        self._run_widgets: dict[str, Widget] = {}
        self._run_exceptions: list[str] = []
        self._run_texts: list[str] = []
        self._run_errors: list[str] = []
        self._cache: dict[str, ForwardMsg] = {}
        self._cache_run: dict[str, int] = {}
        self._run_count = 0
        self._finished: asyncio.Queue[int] = asyncio.Queue()
        self._file_urls: dict[str, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._closed_reason: str | None = None

    # ------------------------------------------------------------------ connection

    def _absorb(self, resp: Any) -> None:
        """Keep the cookies a response set, and note which replica sent it."""
        self.cookies.update(resp.cookies.get_dict())
        replica = resp.headers.get(REPLICA_HEADER)
        if replica:
            self.replicas.append(replica)

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def connect(self) -> None:
        """The page's first requests: the health check (XSRF cookie), then the WebSocket."""
        resp = await asyncio.to_thread(
            requests.get,
            f"{self.base_url}/_stcore/health",
            cookies=dict(self.cookies),
            timeout=self.timeout_s,
        )
        resp.raise_for_status()
        self._absorb(resp)
        self.xsrf = self.cookies.get(XSRF_COOKIE, "")
        if not self.xsrf:
            raise SessionFailed("the server set no XSRF cookie (is XSRF protection on?)")
        ws_url = "ws" + self.base_url[len("http") :] + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit", self.xsrf],
            additional_headers={"Origin": self.origin, "Cookie": self._cookie_header()},
            compression=None,  # Chromium against this server negotiates none either
            max_size=None,
            open_timeout=self.timeout_s,
            ping_interval=None,
        )
        replica = self.ws.response.headers.get(REPLICA_HEADER)
        if replica:
            self.replicas.append(replica)
        self._reader = asyncio.create_task(self._read_loop())

    async def load_page(self, page: str = "") -> int:
        """Fetch the page's HTML and the scripts, styles and fonts it names, six at a time
        (a browser's first visit, cache empty; the frontend's lazily loaded chunks, such as
        Plotly's, are not fetched). Returns the bytes received (compressed, as sent).
        """
        resp = await asyncio.to_thread(
            requests.get, f"{self.base_url}/{page}", cookies=dict(self.cookies),
            timeout=self.timeout_s,
        )  # fmt: skip
        resp.raise_for_status()
        self._absorb(resp)
        assets = sorted(set(re.findall(r'(?:src|href)="\./(static/[^"]+)"', resp.text)))
        limit = asyncio.Semaphore(6)

        def fetch(path: str) -> int:
            url, jar = f"{self.base_url}/{path}", dict(self.cookies)
            with requests.get(url, cookies=jar, timeout=self.timeout_s, stream=True) as r:
                r.raise_for_status()
                self._absorb(r)
                return sum(len(chunk) for chunk in r.raw.stream(65536, decode_content=False))

        async def one(path: str) -> int:
            async with limit:
                return await asyncio.to_thread(fetch, path)

        sizes = await asyncio.gather(*(one(path) for path in assets))
        return len(resp.content) + sum(sizes)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    async def _read_loop(self) -> None:
        try:
            async for frame in self.ws:
                self.bytes_received += len(frame)
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                self._handle(msg)
        except websockets.ConnectionClosed as err:
            self._closed_reason = f"WebSocket closed: {err}"
        except Exception as err:  # a parse error would be a client bug: report it
            self._closed_reason = f"reader failed: {err!r}"
        else:
            self._closed_reason = "WebSocket closed by the server"
        self._finished.put_nowait(-1)

    # ------------------------------------------------------------------ messages

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self._closed_reason = f"server referred to an unknown cached message {msg.ref_hash}"
                return
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            self._cache_run[msg.ref_hash] = self._run_count
            msg, kind = full, cached.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
            self._cache_run[msg.hash] = self._run_count

        if kind == "new_session":
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.page_script_hash = ns.page_script_hash or self.page_script_hash
            self._run_widgets, self._run_exceptions = {}, []
            self._run_texts, self._run_errors = [], []
        elif kind == "navigation":
            for page in msg.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)
        elif kind == "file_urls_response":
            future = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(msg.file_urls_response)
        elif kind == "script_finished":
            status = msg.script_finished
            if status in SUCCESS:
                if status == ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY:
                    self.widgets = self._run_widgets
                    self.texts, self.error_alerts = self._run_texts, self._run_errors
                else:  # a fragment run re-sends only its part
                    self.widgets.update(self._run_widgets)
                # What the browser still shows keeps its values; gone widgets are dropped.
                self.values = {k: v for k, v in self.values.items() if k in self.widgets}
                self._expire_cache()
            self._finished.put_nowait(status)

    def _element(self, element: Any) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        if kind == "exception":
            exc = element.exception
            text = f"{exc.type}: {exc.message}"
            self._run_exceptions.append(text)
            self.exceptions.append(text)
            return
        sub = getattr(element, kind)
        if kind in {"markdown", "heading", "text"}:
            self._run_texts.append(sub.body)
        elif kind == "alert":
            self._run_texts.append(sub.body)
            if sub.format == sub.ERROR:
                self._run_errors.append(sub.body)
        wid = getattr(sub, "id", "") if hasattr(sub, "DESCRIPTOR") else ""
        if wid and "id" in sub.DESCRIPTOR.fields_by_name:
            self._run_widgets[wid] = Widget(wid, kind, sub)

    def _expire_cache(self) -> None:
        # Like the frontend's message cache: forget what the last runs did not use.
        self._run_count += 1
        old = [h for h, run in self._cache_run.items() if run < self._run_count - 2]
        for h in old:
            self._cache.pop(h, None)
            self._cache_run.pop(h, None)

    async def _send(self, back: BackMsg) -> None:
        if self._closed_reason:
            raise SessionFailed(self._closed_reason)
        await self.ws.send(back.SerializeToString())

    # ------------------------------------------------------------------ runs

    def _fill(self, state: ClientState, changes: list[WidgetState] | None) -> None:
        """Put the held widget values plus ``changes`` into ``state`` as the browser does
        (a value is kept for later runs; a trigger, a button's or a component's event, is
        sent once), with the browser's context."""
        triggers = []
        for change in changes or []:
            if change.WhichOneof("value") in TRIGGER_KINDS:
                triggers.append(change)
            else:
                self.values[change.id] = change
        state.widget_states.widgets.extend([*self.values.values(), *triggers])
        state.cached_message_hashes.extend(self._cache)
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/{self.page_name}"
        state.context_info.is_embedded = False
        state.context_info.color_scheme = "light"

    async def rerun(
        self, changes: list[WidgetState] | None = None, *, page: str | None = None
    ) -> RunResult:
        """Send a rerun with the held widget values plus ``changes``; wait for it to finish.

        ``page`` (a url path such as ``'lab'``) switches page as the navigation does.
        Returns the time from sending to the successful ``script_finished``.
        """
        state = ClientState()
        state.query_string = self.query_string
        if page is not None:
            self.values.clear()  # another page: its widgets start fresh
            self.query_string = state.query_string = ""
            if page in self.pages:
                state.page_script_hash = self.pages[page]
            else:
                state.page_name = page
            self.page_name = page
        else:
            state.page_script_hash = self.page_script_hash
        self._fill(state, changes)
        while not self._finished.empty():
            self._finished.get_nowait()
        start = time.perf_counter()
        await self._send(BackMsg(rerun_script=state))
        deadline = start + self.timeout_s
        while True:
            left = deadline - time.perf_counter()
            try:
                status = await asyncio.wait_for(self._finished.get(), max(left, 0.001))
            except TimeoutError:
                raise SessionFailed(f"no script_finished within {self.timeout_s:.0f} s") from None
            if status == -1:
                raise SessionFailed(self._closed_reason or "connection lost")
            if status == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                raise SessionFailed("the script did not compile")
            if status in SUCCESS:
                return RunResult(time.perf_counter() - start, list(self._run_exceptions))

    async def open(self, page: str = "", query_string: str = "") -> RunResult:
        """Connect and run the page at ``/<page>?<query_string>`` (the browser's first load)."""
        await self.connect()
        self.query_string = query_string
        self.page_name = page
        state_page = page
        result = await self.rerun(page=state_page)
        return result

    # ------------------------------------------------------------------ widgets

    def widget(self, key: str) -> Widget:
        """The widget of the last run whose user key is ``key``."""
        for wid, widget in self.widgets.items():
            if wid.endswith(f"-{key}"):
                return widget
        raise SessionFailed(f"no widget with key {key!r} on the page")

    def has_widget(self, key: str) -> bool:
        return any(wid.endswith(f"-{key}") for wid in self.widgets)

    def number(self, key: str, value: float) -> WidgetState:
        """A number input's new value (an int_value for an integer input, as the browser)."""
        w = self.widget(key)
        if w.kind == "number_input" and w.proto.data_type == w.proto.INT:
            return WidgetState(id=w.id, int_value=int(value))
        if w.kind == "slider":
            ws = WidgetState(id=w.id)
            ws.double_array_value.data.extend([float(value)])
            return ws
        return WidgetState(id=w.id, double_value=float(value))

    def choose(self, key: str, index: int) -> WidgetState:
        """An option widget's choice by option index, sent as its formatted label."""
        w = self.widget(key)
        label = w.options[index]
        if w.kind in {"radio", "selectbox"}:
            return WidgetState(id=w.id, string_value=label)
        ws = WidgetState(id=w.id)
        ws.string_array_value.data.extend([label])
        return ws

    def option_index(self, key: str, contains: str) -> int:
        """The index of the first option whose label contains ``contains`` (case-insensitive)."""
        options = self.widget(key).options
        for i, label in enumerate(options):
            if contains.lower() in label.lower():
                return i
        raise SessionFailed(f"widget {key!r} has no option like {contains!r}: {options}")

    def component_state(self, key: str, state: dict[str, Any]) -> WidgetState:
        """A bidirectional component's new state (``st.components.v2``: the whole dict)."""
        return WidgetState(id=self.widget(key).id, json_value=json.dumps(state))

    async def upload(self, key: str, name: str, data: bytes, mime: str) -> WidgetState:
        """Upload a file as the browser's uploader does; returns the uploader's new value."""
        uploader = self.widget(key)
        request_id = uuid.uuid4().hex
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = future
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.file_names.append(name)
        back.file_urls_request.session_id = self.session_id
        await self._send(back)
        try:
            response = await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            raise SessionFailed("no file_urls_response in time") from None
        if response.error_msg:
            raise SessionFailed(f"upload URL refused: {response.error_msg}")
        urls: FileURLs = response.file_urls[0]
        url = urls.upload_url
        if url.startswith("/"):
            url = self.origin + url
        elif not url.startswith("http"):
            url = f"{self.base_url}/{url}"
        resp = await asyncio.to_thread(
            requests.put,
            url,
            files={"file": (name, data, mime)},
            headers={"X-Xsrftoken": self.xsrf, "Origin": self.origin},
            cookies=dict(self.cookies),
            timeout=self.timeout_s,
        )
        self._absorb(resp)
        if resp.status_code not in (200, 204):
            raise SessionFailed(f"upload refused: HTTP {resp.status_code} {resp.text[:200]}")
        ws = WidgetState(id=uploader.id)
        info = ws.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        return ws
