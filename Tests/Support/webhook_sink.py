#!/usr/bin/env python3
"""A local HTTP endpoint for the task webhook test: records each POST (path, headers, body) as one JSON line and
answers with the status given (default 204). Prints its port; serves until stdin closes.

  webhook_sink.py LOG_FILE [STATUS]
"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path = sys.argv[1]
status = int(sys.argv[2]) if len(sys.argv) > 2 else 204


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(log_path, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
