"""Runs moto server on 127.0.0.1 with a free port, prints MOTO_PORT=<port>, and stops when stdin closes.

Started by src/local/moto.ts; tying the lifetime to stdin means no orphan server survives its parent.
"""
import sys

from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
_host, port = server.get_host_and_port()
print(f"MOTO_PORT={port}", flush=True)
try:
    sys.stdin.read()
finally:
    server.stop()
