"""A learner's session spoken in Streamlit's protocol through a proxy: the page, its websocket, an upload
to the session's process and the CSV the page then offers, each request with the cookies a browser keeps."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import uuid

import numpy as np
from PIL import Image
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from benchmarks.load import Client

PAGE, QUERY = "convolution", "fcn=upload"  # the FCN section's "upload my own" picture
UPLOAD_LABEL = "An image"


def noise_png(seed: int, size: tuple[int, int] = (96, 40)) -> bytes:
    """A picture no other session has: the score map drawn from it, and so its CSV, is this session's alone."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0]), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def request(url: str, cookies: dict[str, str], method: str = "GET", body: bytes = b"", headers=None) -> tuple:
    """(status, body, Set-Cookie headers) of one HTTP request; an HTTP error is an answer, not an exception."""
    sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(headers or {})}
    req = urllib.request.Request(url, data=body or None, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:
            return answer.status, answer.read(), answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get_all("Set-Cookie") or []


class Learner(Client):
    """One browser tab: a session id, the page's file uploader and the CSV downloads of its last run."""

    def __init__(self, base: str) -> None:
        super().__init__(0, base)
        self.session_id, self.uploader, self.downloads = "", "", {}

    async def run_page(self, uploaded: dict | None = None) -> None:
        """One run of the page (with `uploaded`, the uploader holding that file); records what it drew."""
        msg = BackMsg()
        msg.rerun_script.page_name, msg.rerun_script.query_string = PAGE, QUERY
        if uploaded:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.uploader
            state.file_uploader_state_value.uploaded_file_info.add(**uploaded)
        await self.ws.send(msg.SerializeToString())
        self.downloads = {}
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.session_id = forward.new_session.initialize.session_id
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                if element.WhichOneof("type") == "exception":
                    raise AssertionError(f"the page raised {element.exception.type}: {element.exception.message}")
                if element.WhichOneof("type") == "file_uploader" and element.file_uploader.label.startswith(
                    UPLOAD_LABEL
                ):
                    self.uploader = element.file_uploader.id
                if element.WhichOneof("type") == "download_button":
                    self.downloads[element.download_button.label] = element.download_button.url
            elif kind == "script_finished" and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    def upload(self, base: str, data: bytes, cookies: dict[str, str]) -> tuple[int, dict]:
        """PUT `data` to this session's upload url through `base` as the browser does (its XSRF token in
        cookie and header); (status, the uploader's new state)."""
        file_id = uuid.uuid4().hex
        path = f"/_stcore/upload_file/{self.session_id}/{file_id}"
        token = generate_xsrf_token_string()
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="digits.png"\r\n'
                f"Content-Type: image/png\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": token}
        status, _, _ = request(base + path, {**cookies, "_streamlit_xsrf": token}, "PUT", body, headers)
        urls = {"file_id": file_id, "upload_url": path, "delete_url": path}
        return status, {"name": "digits.png", "size": len(data), "file_id": file_id, "file_urls": urls}
