#!/bin/sh
# Records nats-server's /varz and /jsz bodies with JetStream on, for test_server_monitor_schema.cpp (field
# names and JSON types): a file stream ORDERS with three messages, a memory stream MEMO with one. Needs
# nats-server 2.9.10, curl and python3. Usage: ./capture_jetstream.sh
set -eu
cd "$(dirname "$0")"
store=$(mktemp -d)
nats-server -a 127.0.0.1 -p 4334 -m 8334 -js -sd "$store" >/dev/null 2>&1 &
server=$!
trap 'kill $server; wait $server 2>/dev/null || true; rm -rf "$store"' EXIT
sleep 1
python3 - <<'PY'
import json, socket, time
s = socket.create_connection(("127.0.0.1", 4334))
s.recv(4096)
s.sendall(b'CONNECT {"verbose":false}\r\nSUB _INBOX.cap 1\r\n')
def pub(subject, body):
    s.sendall(b"PUB %s _INBOX.cap %d\r\n%s\r\n" % (subject.encode(), len(body), body))
pub("$JS.API.STREAM.CREATE.ORDERS", json.dumps({"name": "ORDERS", "subjects": ["orders.>"], "storage": "file"}).encode())
pub("$JS.API.STREAM.CREATE.MEMO", json.dumps({"name": "MEMO", "subjects": ["memo"], "storage": "memory"}).encode())
for _ in range(3):
    pub("orders.a", b"hello")
pub("memo", b"hi")
time.sleep(1)
PY
get() { curl -s "http://127.0.0.1:8334/$1" > "$2"; }
get varz varz_jetstream.json
get jsz jsz_jetstream.json
get 'jsz?streams=true&config=true' jsz_jetstream_streams.json
