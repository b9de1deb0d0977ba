"""Static server for the measurements: `python serve.py DIR PORT [--csp-header]`.

Logs every response (path, status, bytes of body) in memory; GET /__log returns the log as JSON and
clears it. With --csp-header every response also carries the site's CSP as an HTTP header (as a host
could send it), so that workers and scripts get it too, not only the page through its <meta>."""
import json
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
LOG: list = []
LOCK = threading.Lock()


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".wasm": "application/wasm",
                      ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
                      ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream"}
    csp = False

    def do_GET(self):
        if self.path.startswith("/__log"):
            with LOCK:
                body = json.dumps(LOG).encode()
                LOG.clear()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._length = 0
        super().do_GET()
        with LOCK:
            LOG.append([time.time(), self.path, getattr(self, "_status", 0), self._length])

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def send_header(self, key, value):
        if key.lower() == "content-length":
            self._length = int(value)
        super().send_header(key, value)

    def end_headers(self):
        if self.csp:
            global CSP
            super().send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, *a):
        pass


if __name__ == "__main__":
    d, port = sys.argv[1], int(sys.argv[2])
    Handler.csp = "--csp-header" in sys.argv or "--csp-wasm" in sys.argv
    if "--csp-wasm" in sys.argv:  # the same policy, plus what Pagefind needs to compile its WebAssembly
        CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; form-action 'none'"
    ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, directory=d)).serve_forever()
