#!/usr/bin/env python3
"""Records nats-server's JetStream API replies as golden files for ternd's JSON layer tests.

Starts `nats-server -js -sd <tmpdir> -p <port>` (2.9.10), sends each request below over a raw socket and
writes one file per group into this directory. Each exchange is four lines:

    ### <name>
    > <subject> [<header block>] <TAB> <body>
    < <reply: the header block, if any, then the payload>
    (blank line)

Bytes are escaped so that each record stays on one line: backslash as \\\\, CR as \\r, LF as \\n, TAB as \\t.
Run it again after changing the scenarios: `python3 tests/data/jetstream/capture.py`.

With `--server PATH --check` it sends the same requests to another server (ternd) and compares every reply
with the recorded one, times masked; ctest runs it that way against ternd ("jetstream: ternd answers ...").
"""
import argparse
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def escape(data: bytes) -> str:
    text = data.decode("utf-8", "surrogateescape")
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.read_line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,'
                          b'"protocol":1}\r\nSUB _INBOX.> 1\r\nPING\r\n')
        while self.read_line() != b"PONG":
            pass
        self.counter = 0

    def read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_bytes(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def request(self, subject, body=b"", headers=None, wait=2.0):
        """Sends one request and returns the reply (header block + payload), or None on silence."""
        self.counter += 1
        inbox = "_INBOX.r%d" % self.counter
        if headers:
            hdr = ("NATS/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n").encode()
            self.sock.sendall(b"HPUB %s %s %d %d\r\n" % (subject.encode(), inbox.encode(), len(hdr),
                                                          len(hdr) + len(body)) + hdr + body + b"\r\n")
        else:
            self.sock.sendall(b"PUB %s %s %d\r\n" % (subject.encode(), inbox.encode(), len(body)) + body + b"\r\n")
        self.sock.sendall(b"PING\r\n")
        deadline = time.time() + wait
        self.sock.settimeout(wait)
        got_pong = False
        while time.time() < deadline:
            try:
                line = self.read_line()
            except socket.timeout:
                return None
            if line == b"PONG":
                got_pong = True
                continue
            if line == b"PING":
                self.sock.sendall(b"PONG\r\n")
                continue
            parts = line.split(b" ")
            if parts[0] == b"MSG":
                data = self.read_bytes(int(parts[-1]))
            elif parts[0] == b"HMSG":
                data = self.read_bytes(int(parts[-1]))
            else:
                continue
            if parts[1].decode() == inbox:
                return data
        return None


TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def masked(text):
    # Every RFC 3339 time but Go's zero time, which is part of what is compared.
    return TIME.sub(lambda m: m.group(0) if m.group(0).startswith("0001-") else "<time>", text)


def check(groups):
    """Compares `groups` (as just recorded) with the golden files; returns the number of mismatches."""
    failures = 0
    for group, lines in sorted(groups.items()):
        with open(os.path.join(HERE, group + ".txt")) as f:
            golden = [block for block in f.read().split("\n\n") if block.strip()]
        got = [line.rstrip("\n") for line in lines]
        if len(golden) != len(got):
            print("%s: %d exchanges recorded, %d now" % (group, len(golden), len(got)))
            failures += 1
        for want, have in zip(golden, got):
            if masked(want.strip("\n")) != masked(have.strip("\n")):
                failures += 1
                print("MISMATCH in %s.txt\n  expected: %s\n  actual:   %s" %
                      (group, masked(want).replace("\n", "\n            "), masked(have).replace("\n", "\n            ")))
    total = sum(len(lines) for lines in groups.values())
    print("%d exchanges compared, %d mismatches" % (total, failures))
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="the server binary (default: nats-server)")
    parser.add_argument("--check", action="store_true", help="compare with the golden files instead of writing them")
    args = parser.parse_args()
    nats_server = args.server or shutil.which("nats-server") or "/usr/sbin/nats-server"
    tmp = tempfile.mkdtemp(prefix="tern-js-capture-")
    port = 14222 + os.getpid() % 1000
    groups = {}

    def record(group, name, subject, body=b"", headers=None, client=None):
        reply = client.request(subject, body, headers)
        hdr = ""
        if headers:
            hdr = escape(("NATS/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n").encode())
        lines = groups.setdefault(group, [])
        lines.append("### %s\n> %s %s\t%s\n< %s\n" % (name, subject, hdr, escape(body),
                                                      "(no reply)" if reply is None else escape(reply)))

    server = subprocess.Popen([nats_server, "-js", "-sd", tmp, "-p", str(port)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = Client(port)
                break
            except OSError:
                time.sleep(0.05)
        run_scenarios(c, record)
    finally:
        server.terminate()
        server.wait()

    # A server without JetStream: nobody answers $JS.API, so a client asking for no responders gets 503.
    server = subprocess.Popen([nats_server, "-p", str(port)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = Client(port)
                break
            except OSError:
                time.sleep(0.05)
        record("disabled", "account_info_without_jetstream", "$JS.API.INFO", client=c)
        record("disabled", "stream_create_without_jetstream", "$JS.API.STREAM.CREATE.X", b'{"name":"X"}', client=c)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    if args.check:
        sys.exit(1 if check(groups) else 0)
    for group, lines in groups.items():
        with open(os.path.join(HERE, group + ".txt"), "w") as f:
            f.write("".join(l + "\n" for l in lines))
    print("wrote", ", ".join(sorted(g + ".txt" for g in groups)))


def run_scenarios(c, record):
    def r(group, name, subject, body=b"", headers=None):
        if isinstance(body, str):
            body = body.encode()
        record(group, name, subject, body, headers, client=c)

    A = "$JS.API."
    r("account", "account_info_fresh", A + "INFO")

    orders = ('{"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","max_consumers":0,"max_msgs":0,'
              '"max_bytes":0,"discard":"old","max_age":0,"max_msgs_per_subject":0,"storage":"file",'
              '"num_replicas":0,"allow_direct":false,"mirror_direct":false}')
    r("create", "create_orders", A + "STREAM.CREATE.ORDERS", orders)
    r("create", "create_orders_again_identical", A + "STREAM.CREATE.ORDERS", orders)
    r("create", "create_orders_different", A + "STREAM.CREATE.ORDERS", '{"name":"ORDERS","subjects":["ORDERS.>"]}')
    r("create", "create_minimal", A + "STREAM.CREATE.MIN", '{"name":"MIN"}')
    r("create", "create_minimal_again_with_defaults_spelled_out", A + "STREAM.CREATE.MIN",
      '{"name":"MIN","subjects":["MIN"],"max_msgs":-1,"num_replicas":1,"duplicate_window":120000000000}')
    kv = ('{"name":"KV_cfg","subjects":["$KV.cfg.>"],"retention":"limits","max_consumers":0,"max_msgs":0,'
          '"max_bytes":-1,"discard":"new","max_age":0,"max_msgs_per_subject":5,"max_msg_size":-1,"storage":"file",'
          '"num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,'
          '"deny_delete":true,"allow_rollup_hdrs":true}')
    r("create", "create_kv", A + "STREAM.CREATE.KV_cfg", kv)
    r("create", "create_kv_again", A + "STREAM.CREATE.KV_cfg", kv)
    r("create", "create_max_age_1s", A + "STREAM.CREATE.AGED",
      '{"name":"AGED","subjects":["aged.>"],"max_age":1000000000,"storage":"memory"}')
    r("create", "create_everything", A + "STREAM.CREATE.ALL",
      '{"name":"ALL","description":"all <fields> & more","subjects":["all.a","all.b.*"],"retention":"workqueue",'
      '"max_consumers":10,"max_msgs":100,"max_bytes":100000,"max_age":3600000000000,"max_msgs_per_subject":3,'
      '"max_msg_size":512,"discard":"new","storage":"memory","num_replicas":1,"no_ack":true,'
      '"duplicate_window":60000000000,"placement":{"cluster":"","tags":["a","b"]},"allow_direct":true,'
      '"discard_new_per_subject":true,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":true,'
      '"unknown_field":{"x":[1,2]}}')
    r("create", "create_upper_case_keys", A + "STREAM.CREATE.UPPER",
      '{"NAME":"UPPER","Subjects":["upper"],"DISCARD":"NEW","Max_Msgs":7}')
    r("create", "create_interest", A + "STREAM.CREATE.INT", '{"name":"INT","retention":"interest","subjects":["int.>"]}')
    r("create", "create_placement_empty", A + "STREAM.CREATE.PL", '{"name":"PL","placement":{}}')
    # Errors.
    r("create", "create_name_mismatch", A + "STREAM.CREATE.OTHER", '{"name":"ORDERS2"}')
    r("create", "create_name_with_dot", A + "STREAM.CREATE.a.b", '{"name":"a.b"}')
    r("create", "create_empty_body", A + "STREAM.CREATE.E", "")
    r("create", "create_not_json", A + "STREAM.CREATE.E", "{nope")
    r("create", "create_wrong_type", A + "STREAM.CREATE.E", '{"name":"E","max_msgs":"10"}')
    r("create", "create_fraction", A + "STREAM.CREATE.E", '{"name":"E","max_msgs":1.5}')
    r("create", "create_retention_null", A + "STREAM.CREATE.E", '{"name":"E","retention":null}')
    r("create", "create_retention_unknown", A + "STREAM.CREATE.E", '{"name":"E","retention":"forever"}')
    r("create", "create_max_msg_size_overflow", A + "STREAM.CREATE.E", '{"name":"E","max_msg_size":4294967296}')
    r("create", "create_null_body", A + "STREAM.CREATE.E", "null")
    r("create", "create_array_body", A + "STREAM.CREATE.E", "[]")
    r("create", "create_path_separator", A + "STREAM.CREATE.a/b", '{"name":"a/b"}')
    r("create", "create_sealed", A + "STREAM.CREATE.E", '{"name":"E","sealed":true}')
    r("create", "create_mirror_direct", A + "STREAM.CREATE.E", '{"name":"E","mirror_direct":true}')
    r("create", "create_replicas_3", A + "STREAM.CREATE.E", '{"name":"E","num_replicas":3}')
    r("create", "create_replicas_6", A + "STREAM.CREATE.E", '{"name":"E","num_replicas":6}')
    r("create", "create_replicas_negative", A + "STREAM.CREATE.E", '{"name":"E","num_replicas":-1}')
    r("create", "create_max_age_small", A + "STREAM.CREATE.E", '{"name":"E","max_age":1000}')
    r("create", "create_dupe_window_negative", A + "STREAM.CREATE.E", '{"name":"E","duplicate_window":-5}')
    r("create", "create_dupe_window_over_age", A + "STREAM.CREATE.E",
      '{"name":"E","max_age":1000000000,"duplicate_window":2000000000}')
    r("create", "create_dupe_window_small", A + "STREAM.CREATE.E", '{"name":"E","duplicate_window":1000}')
    r("create", "create_rollup_without_purge", A + "STREAM.CREATE.E",
      '{"name":"E","deny_purge":true,"allow_rollup_hdrs":true}')
    r("create", "create_discard_new_per_subject_old", A + "STREAM.CREATE.E",
      '{"name":"E","discard_new_per_subject":true}')
    r("create", "create_discard_new_per_subject_no_limit", A + "STREAM.CREATE.E",
      '{"name":"E","discard":"new","discard_new_per_subject":true}')
    r("create", "create_duplicate_subjects", A + "STREAM.CREATE.E", '{"name":"E","subjects":["e.a","e.a"]}')
    r("create", "create_api_subjects", A + "STREAM.CREATE.E", '{"name":"E","subjects":["$JS.API.>"]}')
    r("create", "create_invalid_subject", A + "STREAM.CREATE.E", '{"name":"E","subjects":["e..a"]}')
    r("create", "create_self_overlap", A + "STREAM.CREATE.E", '{"name":"E","subjects":["e.*","e.a"]}')
    r("create", "create_overlap_other_stream", A + "STREAM.CREATE.E", '{"name":"E","subjects":["ORDERS.new"]}')
    r("create", "create_name_too_long", A + "STREAM.CREATE." + "N" * 256, '{"name":"%s"}' % ("N" * 256))
    r("create", "create_mirror_with_subjects", A + "STREAM.CREATE.E",
      '{"name":"E","subjects":["e"],"mirror":{"name":"ORDERS"}}')
    r("create", "create_mirror_with_sources", A + "STREAM.CREATE.E",
      '{"name":"E","mirror":{"name":"ORDERS"},"sources":[{"name":"MIN"}]}')
    r("create", "create_template_owner", A + "STREAM.CREATE.E", '{"name":"E","template_owner":"T"}')

    # Publishes.
    p = "publish"
    r(p, "publish_first", "ORDERS.new", "order-1")
    r(p, "publish_msg_id", "ORDERS.new", "order-2", [("Nats-Msg-Id", "id-1")])
    r(p, "publish_msg_id_duplicate", "ORDERS.new", "order-2", [("Nats-Msg-Id", "id-1")])
    r(p, "publish_expected_stream_wrong", "ORDERS.new", "x", [("Nats-Expected-Stream", "OTHER")])
    r(p, "publish_expected_stream_right", "ORDERS.shipped", "order-3", [("Nats-Expected-Stream", "ORDERS")])
    r(p, "publish_expected_last_seq_wrong", "ORDERS.new", "x", [("Nats-Expected-Last-Sequence", "1")])
    r(p, "publish_expected_last_subject_seq_wrong", "ORDERS.new", "x",
      [("Nats-Expected-Last-Subject-Sequence", "1")])
    r(p, "publish_expected_last_msg_id_wrong", "ORDERS.new", "x", [("Nats-Expected-Last-Msg-Id", "id-0")])
    r(p, "publish_rollup_not_permitted", "ORDERS.new", "x", [("Nats-Rollup", "sub")])
    r(p, "publish_trace_header", "ORDERS.shipped", "order-4", [("X-Trace", "2")])
    r(p, "publish_too_big", "all.a", "x" * 600)
    r(p, "publish_kv_a", "$KV.cfg.a.b", "v1")
    r(p, "publish_kv_create_exists", "$KV.cfg.a.b", "v2", [("Nats-Expected-Last-Subject-Sequence", "0")])
    r(p, "publish_kv_a_with_header", "$KV.cfg.a.c", "v2", [("KV-Operation", "PUT")])
    for i in range(3):
        r(p, "publish_upper_%d" % i, "upper", "u%d" % i)
    for i in range(6):
        r(p, "publish_upper_discard_new_%d" % i, "upper", "u%d" % i)

    # Stream info, names, list.
    i = "info"
    r(i, "info_orders", A + "STREAM.INFO.ORDERS")
    r(i, "info_orders_subjects_filter", A + "STREAM.INFO.ORDERS", '{"subjects_filter":">"}')
    r(i, "info_orders_subjects_filter_none", A + "STREAM.INFO.ORDERS", '{"subjects_filter":"nothing"}')
    r(i, "info_missing", A + "STREAM.INFO.NOPE")
    r(i, "info_bad_json", A + "STREAM.INFO.ORDERS", "{x")
    r(i, "names_all", A + "STREAM.NAMES")
    r(i, "names_subject", A + "STREAM.NAMES", '{"subject":"ORDERS.*"}')
    r(i, "names_subject_none", A + "STREAM.NAMES", '{"subject":"nothing.here"}')
    r(i, "names_offset", A + "STREAM.NAMES", '{"offset":2}')
    r(i, "names_bad_json", A + "STREAM.NAMES", '{"offset":"x"}')
    r(i, "list_subject", A + "STREAM.LIST", '{"subject":"ORDERS.new"}')
    r(i, "list_none", A + "STREAM.LIST", '{"subject":"nothing.here"}')

    # Messages.
    m = "messages"
    r(m, "msg_get_seq", A + "STREAM.MSG.GET.ORDERS", '{"seq":1}')
    r(m, "msg_get_seq_with_headers", A + "STREAM.MSG.GET.ORDERS", '{"seq":2}')
    r(m, "msg_get_last_by_subj", A + "STREAM.MSG.GET.ORDERS", '{"last_by_subj":"ORDERS.shipped"}')
    r(m, "msg_get_next_by_subj", A + "STREAM.MSG.GET.ORDERS", '{"seq":2,"next_by_subj":"ORDERS.shipped"}')
    r(m, "msg_get_missing", A + "STREAM.MSG.GET.ORDERS", '{"seq":99}')
    r(m, "msg_get_empty", A + "STREAM.MSG.GET.ORDERS", "")
    r(m, "msg_get_seq_and_last", A + "STREAM.MSG.GET.ORDERS", '{"seq":1,"last_by_subj":"ORDERS.new"}')
    r(m, "msg_get_no_stream", A + "STREAM.MSG.GET.NOPE", '{"seq":1}')
    r(m, "msg_delete_no_erase", A + "STREAM.MSG.DELETE.ORDERS", '{"seq":1,"no_erase":true}')
    r(m, "msg_delete_again", A + "STREAM.MSG.DELETE.ORDERS", '{"seq":1}')
    r(m, "msg_delete_empty", A + "STREAM.MSG.DELETE.ORDERS", "")
    r(m, "msg_delete_deny_delete", A + "STREAM.MSG.DELETE.KV_cfg", '{"seq":1}')
    r(m, "info_orders_after_delete", A + "STREAM.INFO.ORDERS")
    r(m, "direct_get_last_by_subject", A + "DIRECT.GET.KV_cfg.$KV.cfg.a.b")
    r(m, "direct_get_last_by_subject_with_headers", A + "DIRECT.GET.KV_cfg.$KV.cfg.a.c")
    r(m, "direct_get_seq", A + "DIRECT.GET.KV_cfg", '{"seq":1}')
    r(m, "direct_get_missing", A + "DIRECT.GET.KV_cfg.$KV.cfg.zzz")
    r(m, "direct_get_empty", A + "DIRECT.GET.KV_cfg")
    r(m, "direct_get_malformed", A + "DIRECT.GET.KV_cfg", "{x")
    r(m, "direct_get_seq_and_last", A + "DIRECT.GET.KV_cfg", '{"seq":1,"last_by_subj":"$KV.cfg.a.b"}')
    r(m, "direct_get_zero", A + "DIRECT.GET.KV_cfg", '{"seq":0}')
    r(m, "direct_get_by_subject_with_body", A + "DIRECT.GET.KV_cfg.$KV.cfg.a.b", '{"seq":1}')

    # Purge, update, delete.
    u = "lifecycle"
    r(u, "purge_filter_keep", A + "STREAM.PURGE.ORDERS", '{"filter":"ORDERS.new","keep":1}')
    r(u, "purge_seq", A + "STREAM.PURGE.ORDERS", '{"seq":4}')
    r(u, "purge_seq_and_keep", A + "STREAM.PURGE.ORDERS", '{"seq":4,"keep":1}')
    r(u, "purge_all", A + "STREAM.PURGE.ORDERS")
    r(u, "purge_missing", A + "STREAM.PURGE.NOPE")
    r(u, "purge_bad_json", A + "STREAM.PURGE.ORDERS", '{"seq":-1}')
    r(u, "info_orders_after_purge", A + "STREAM.INFO.ORDERS")
    r(u, "update_orders_subjects", A + "STREAM.UPDATE.ORDERS",
      '{"name":"ORDERS","subjects":["ORDERS.*","SHIP.*"],"max_msgs":1000}')
    r(u, "update_orders_storage", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","storage":"memory"}')
    r(u, "update_orders_retention", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","retention":"interest"}')
    r(u, "update_orders_max_consumers", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","max_consumers":5}')
    r(u, "update_kv_allow_delete", A + "STREAM.UPDATE.KV_cfg",
      '{"name":"KV_cfg","subjects":["$KV.cfg.>"],"max_msgs_per_subject":5,"discard":"new","allow_direct":true,'
      '"allow_rollup_hdrs":true}')
    r(u, "update_orders_replicas_3", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","num_replicas":3}')
    r(u, "update_orders_mirror", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","mirror":{"name":"MIN"}}')
    r(u, "update_mismatch", A + "STREAM.UPDATE.ORDERS", '{"name":"MIN"}')
    r(u, "update_missing", A + "STREAM.UPDATE.NOPE", '{"name":"NOPE"}')
    r(u, "update_invalid", A + "STREAM.UPDATE.ORDERS", '{"name":"ORDERS","max_age":5}')
    r(u, "update_overlap", A + "STREAM.UPDATE.MIN", '{"name":"MIN","subjects":["ORDERS.x"]}')
    r(u, "update_seal_min", A + "STREAM.UPDATE.MIN", '{"name":"MIN","sealed":true,"max_age":5000000000}')
    r(u, "publish_to_sealed", "MIN", "x")
    r(u, "purge_sealed", A + "STREAM.PURGE.MIN")
    r(u, "delete_with_body", A + "STREAM.DELETE.AGED", '{"x":1}')
    r(u, "delete_aged", A + "STREAM.DELETE.AGED")
    r(u, "delete_missing", A + "STREAM.DELETE.AGED")
    r(u, "unknown_api", A + "STREAM.FROB.ORDERS")
    r(u, "account_info_after", A + "INFO")


if __name__ == "__main__":
    sys.exit(main())
