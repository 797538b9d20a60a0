"""TLS listeners on loopback addresses that complete a handshake with a chosen certificate and hang up."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from pathlib import Path


class Listener:
    def __init__(self, address: str, port: int, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.create_server((address, port))
        self.sock.settimeout(0.2)
        self.handshakes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(2)
            with contextlib.suppress(OSError), self.context.wrap_socket(conn, server_side=True):
                self.handshakes += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
