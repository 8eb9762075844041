#!/usr/bin/env python3
# Usage: bench/scenarios/slow_reader.py PORT   (a server listening on 127.0.0.1:PORT)
# The scenario: one publisher floods 200,000 x 1 KiB as fast as TCP allows; one subscriber reads at
# about 16 MB/s for 3 s, then as fast as it can. Counts what the subscriber gets.
import socket, threading, time, sys
port = int(sys.argv[1]); N = 200000
sub = socket.create_connection(("127.0.0.1", port)); sub.recv(4096)
sub.sendall(b'CONNECT {"verbose":false}\r\nSUB flood 1\r\nPING\r\n')
buf = b""
while b"PONG" not in buf: buf += sub.recv(4096)
def publish():
    p = socket.create_connection(("127.0.0.1", port)); p.recv(4096)
    p.sendall(b'CONNECT {"verbose":false}\r\n')
    frame = b"PUB flood 1024\r\n" + b"x" * 1024 + b"\r\n"
    batch = frame * 100
    try:
        for i in range(N // 100): p.sendall(batch)
    except OSError as e: print("publisher:", e)
t = threading.Thread(target=publish); t.start()
got = 0; tail = b""; start = time.time()
total = 0
FRAME = len(b"MSG flood 1 1024\r\n") + 1024 + 2
def count(data):
    global got, total
    total += len(data)
    got = total // FRAME
sub.settimeout(10)
try:
    while time.time() - start < 3:
        d = sub.recv(16384)
        if not d: break
        count(d); time.sleep(0.001)  # about 16 MB/s
    while got < N:
        d = sub.recv(1 << 20)
        if not d: print("closed by server"); break
        count(d)
except socket.timeout: print("timeout")
t.join()
print(f"received {got} of {N} in {time.time()-start:.1f} s")
