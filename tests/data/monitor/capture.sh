#!/bin/sh
# Records nats-server's monitoring bodies that test_server_monitor_schema.cpp compares ternd's writers
# with (field names and JSON types). Needs nats-server 2.9.10, curl and python3. Usage: ./capture.sh
set -eu
cd "$(dirname "$0")"
nats-server -a 127.0.0.1 -p 4333 -m 8333 >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
# One connection that stays open with a plain and a queue subscription (auto-unsubscribe 5), one closed.
python3 - <<'PY' &
import socket, time
def client(name):
    s = socket.create_connection(("127.0.0.1", 4333))
    s.recv(4096)
    s.sendall(('CONNECT {"verbose":false,"name":"%s","lang":"py","version":"1.0"}\r\n' % name).encode())
    return s
closed = client("gone")
closed.sendall(b"SUB a.b 9\r\nPUB a.b 2\r\nhi\r\nPING\r\n")
time.sleep(0.3)
closed.close()
s = client("keeper")
s.sendall(b"SUB foo.* 1\r\nSUB foo.bar workers 2\r\nUNSUB 2 5\r\nPUB foo.x 5\r\nhello\r\nPING\r\n")
time.sleep(4)
PY
clients=$!
sleep 1
get() { curl -s "http://127.0.0.1:8333/$1" > "$2"; }
get varz varz.json
get 'connz?subs=detail' connz_detail.json
get 'connz?subs=1' connz_subs.json
get 'connz?state=closed&subs=detail' connz_closed.json
get subsz subsz.json
get 'subsz?subs=1' subsz_subs.json
get routez routez.json
get gatewayz gatewayz.json
get leafz leafz.json
get accountz accountz.json
get 'accountz?acc=$G' accountz_detail.json
get healthz healthz.json
get jsz jsz.json
wait $clients
