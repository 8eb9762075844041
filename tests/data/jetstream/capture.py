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

Ephemeral consumers get random names: a subject may say "{eph}" for the last one created, and comparisons
mask those names as they mask times.

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
# The reply to a create on `$JS.API.CONSUMER.CREATE.<stream>` names the consumer the server made up.
EPHEMERAL_CREATE = re.compile(r"^> \$JS\.API\.CONSUMER\.CREATE\.[^. ]+ ", re.M)
EPHEMERAL_NAME = re.compile(r'"name":"([0-9A-Za-z]{8})"')


def ephemeral_names(text):
    """The names the server gave the ephemeral consumers created in `text` (one group's records)."""
    names = []
    for block in text.split("\n\n"):
        if EPHEMERAL_CREATE.search(block):
            found = EPHEMERAL_NAME.search(block.split("\n< ", 1)[-1])
            if found:
                names.append(found.group(1))
    return names


def masked(text, names=()):
    # Every RFC 3339 time but Go's zero time, which is part of what is compared, and every name the
    # server chose for an ephemeral consumer, which is random.
    text = TIME.sub(lambda m: m.group(0) if m.group(0).startswith("0001-") else "<time>", text)
    for name in names:
        text = text.replace(name, "<ephemeral>")
    return text


def check(groups):
    """Compares `groups` (as just recorded) with the golden files; returns the number of mismatches."""
    failures = 0
    for group, lines in sorted(groups.items()):
        with open(os.path.join(HERE, group + ".txt")) as f:
            golden_text = f.read()
        golden = [block for block in golden_text.split("\n\n") if block.strip()]
        got = [line.rstrip("\n") for line in lines]
        golden_names, got_names = ephemeral_names(golden_text), ephemeral_names("\n".join(lines))
        if len(golden) != len(got):
            print("%s: %d exchanges recorded, %d now" % (group, len(golden), len(got)))
            failures += 1
        for want, have in zip(golden, got):
            want, have = masked(want.strip("\n"), golden_names), masked(have.strip("\n"), got_names)
            if want != have:
                failures += 1
                print("MISMATCH in %s.txt\n  expected: %s\n  actual:   %s" %
                      (group, want.replace("\n", "\n            "), have.replace("\n", "\n            ")))
    total = sum(len(lines) for lines in groups.values())
    print("%d exchanges compared, %d mismatches" % (total, failures))
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="the server binary (default: nats-server)")
    parser.add_argument("--check", action="store_true", help="compare with the golden files instead of writing them")
    parser.add_argument("--exclude", action="append", default=[], metavar="GROUP",
                        help="neither send nor compare this group's requests (repeatable)")
    args = parser.parse_args()
    nats_server = args.server or shutil.which("nats-server") or "/usr/sbin/nats-server"
    tmp = tempfile.mkdtemp(prefix="tern-js-capture-")
    port = 14222 + os.getpid() % 1000
    groups = {}
    ephemerals = []  # The names the server gave the ephemeral consumers created so far, in order.

    def record(group, name, subject, body=b"", headers=None, client=None):
        if group in args.exclude:
            return
        # "{eph}" stands for the name of the last ephemeral consumer created, which the server chose.
        if "{eph}" in subject:
            subject = subject.replace("{eph}", ephemerals[-1] if ephemerals else "none")
        reply = client.request(subject, body, headers)
        if reply is not None and subject.count(".") == 4 and subject.startswith("$JS.API.CONSUMER.CREATE."):
            found = EPHEMERAL_NAME.search(reply.decode("utf-8", "surrogateescape"))
            if found:
                ephemerals.append(found.group(1))
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

    run_consumer_scenarios(r)


def run_consumer_scenarios(r):
    """The consumer API: creates in every subject form, updates, every create check, INFO/DELETE/NAMES/LIST.

    Non-durable consumers get a long inactive_threshold unless the default is what is shown, and those are
    deleted at once: nats-server reaps an idle ephemeral after 5 s, which would make later counts depend on
    timing. Push consumers deliver to subjects nobody listens on, or bind on a stream without messages.
    """
    A = "$JS.API."
    C = A + "CONSUMER."
    g = "consumers"

    def create(name, subject, stream, config):
        body = '{"stream_name":"%s","config":%s}' % (stream, config) if stream is not None else config
        r(g, name, C + subject, body)

    hour = 3600000000000
    r(g, "stream_ord", A + "STREAM.CREATE.ORD", '{"name":"ORD","subjects":["ord.*"]}')
    r(g, "stream_wq", A + "STREAM.CREATE.WQ", '{"name":"WQ","subjects":["wq.>"],"retention":"workqueue"}')
    r(g, "stream_eph", A + "STREAM.CREATE.EPH", '{"name":"EPH","subjects":["eph.>"],"storage":"memory"}')
    r(g, "stream_maxc", A + "STREAM.CREATE.MAXC", '{"name":"MAXC","subjects":["maxc"],"max_consumers":1}')
    for i in range(3):
        r(g, "publish_ord_%d" % i, "ord.new" if i < 2 else "ord.old", "m%d" % i)

    # Creates, in every subject form.
    create("create_durable_pull", "CREATE.ORD.worker", "ORD", '{"durable_name":"worker","ack_policy":"explicit"}')
    natsgo = ('{"durable_name":"filtered","deliver_policy":"all","ack_policy":"explicit","ack_wait":2000000000,'
              '"max_deliver":3,"filter_subject":"ord.new","replay_policy":"instant","max_ack_pending":65536,'
              '"num_replicas":0}')
    create("create_filter_in_subject", "CREATE.ORD.filtered.ord.new", "ORD", natsgo)
    create("create_filter_in_subject_again_identical", "CREATE.ORD.filtered.ord.new", "ORD", natsgo)
    create("create_filter_wildcard_in_subject", "CREATE.ORD.wild.ord.*", "ORD",
           '{"durable_name":"wild","ack_policy":"all","filter_subject":"ord.*"}')
    push = ('{"durable_name":"pusher","deliver_subject":"push.unbound","deliver_group":"grp","ack_policy":"explicit",'
            '"idle_heartbeat":5000000000,"flow_control":true,"description":"a <push> & consumer"}')
    create("create_durable_push", "CREATE.ORD.pusher", "ORD", push)
    create("create_durable_push_again_identical", "CREATE.ORD.pusher", "ORD", push)
    create("create_legacy_durable", "DURABLE.CREATE.ORD.legacy", "ORD",
           '{"durable_name":"legacy","ack_policy":"none","deliver_subject":"legacy.out","max_deliver":5,'
           '"backoff":[1000000000,2000000000],"ack_wait":9000000000,"rate_limit_bps":1000,"sample_freq":"50%",'
           '"headers_only":true,"replay_policy":"original","deliver_policy":"last"}')
    create("create_legacy_durable_backoff_explicit", "DURABLE.CREATE.ORD.backoff", "ORD",
           '{"durable_name":"backoff","ack_policy":"explicit","max_deliver":4,"backoff":[1000000000,5000000000]}')
    create("create_pull_options", "CREATE.ORD.pullopts", "ORD",
           '{"durable_name":"pullopts","ack_policy":"explicit","max_waiting":7,"max_batch":10,"max_expires":5000000000,'
           '"max_bytes":1024,"inactive_threshold":%d,"mem_storage":true,"num_replicas":1,"deliver_policy":"new"}' % hour)
    create("create_by_start_sequence", "CREATE.ORD.byseq", "ORD",
           '{"durable_name":"byseq","ack_policy":"explicit","deliver_policy":"by_start_sequence","opt_start_seq":2}')
    create("create_by_start_time", "CREATE.ORD.bytime", "ORD",
           '{"durable_name":"bytime","ack_policy":"explicit","deliver_policy":"by_start_time",'
           '"opt_start_time":"2020-01-02T03:04:05.123456789Z"}')
    create("create_by_start_time_offset", "CREATE.ORD.bytimeoff", "ORD",
           '{"durable_name":"bytimeoff","ack_policy":"explicit","deliver_policy":"by_start_time",'
           '"opt_start_time":"2020-01-02T03:04:05.5+02:00"}')
    create("create_last_per_subject", "CREATE.ORD.lps", "ORD",
           '{"durable_name":"lps","ack_policy":"explicit","deliver_policy":"last_per_subject","filter_subject":"ord.*"}')
    create("create_upper_case_keys", "CREATE.ORD.upper", "ORD",
           '{"DURABLE_NAME":"upper","Ack_Policy":"explicit","MAX_ACK_PENDING":5,"unknown":[1]}')
    create("create_name_only_pull", "CREATE.ORD.named", "ORD",
           '{"ack_policy":"explicit","inactive_threshold":%d}' % hour)
    create("create_name_only_pull_again", "CREATE.ORD.named", "ORD",
           '{"ack_policy":"explicit","inactive_threshold":%d}' % hour)
    create("create_name_in_body_and_subject", "CREATE.ORD.named2", "ORD",
           '{"name":"other","ack_policy":"explicit","inactive_threshold":%d}' % hour)
    r(g, "delete_named2", C + "DELETE.ORD.named2")

    # Updates of an existing consumer: what may change, and the error for what may not.
    create("update_worker_allowed", "CREATE.ORD.worker", "ORD",
           '{"durable_name":"worker","ack_policy":"explicit","description":"d","max_ack_pending":20,"ack_wait":'
           '5000000000,"max_deliver":9,"sample_freq":"10","headers_only":true,"max_batch":5,"inactive_threshold":'
           '%d,"rate_limit_bps":0,"max_expires":2000000000,"max_bytes":100}' % hour)
    create("update_worker_back", "CREATE.ORD.worker", "ORD", '{"durable_name":"worker","ack_policy":"explicit"}')
    for field, value in [("deliver_policy", '"new"'), ("opt_start_seq", "1"), ("ack_policy", '"all"'),
                         ("replay_policy", '"original"'), ("max_waiting", "10"),
                         ("deliver_subject", '"push.x"'), ("filter_subject", '"ord.new"'),
                         ("backoff", "[1000000000]"), ("mem_storage", "true"), ("num_replicas", "1")]:
        create("update_worker_" + field, "CREATE.ORD.worker", "ORD",
               '{"durable_name":"worker","ack_policy":"explicit","max_deliver":5,"%s":%s}' % (field, value))
    create("update_worker_deliver_policy_by_seq", "CREATE.ORD.worker", "ORD",
           '{"durable_name":"worker","ack_policy":"explicit","deliver_policy":"by_start_sequence","opt_start_seq":1}')
    create("update_bytime_same_time", "CREATE.ORD.bytime", "ORD",
           '{"durable_name":"bytime","ack_policy":"explicit","deliver_policy":"by_start_time",'
           '"opt_start_time":"2020-01-02T03:04:05.123456789Z"}')
    create("update_bytime_same_time_other_change", "CREATE.ORD.bytime", "ORD",
           '{"durable_name":"bytime","ack_policy":"explicit","deliver_policy":"by_start_time",'
           '"opt_start_time":"2020-01-02T03:04:05.123456789Z","description":"x"}')
    pusher = ('{"durable_name":"pusher","deliver_subject":"%s","deliver_group":"grp","ack_policy":"explicit",'
              '"idle_heartbeat":%d,"flow_control":%s}')
    create("update_pusher_heartbeat", "CREATE.ORD.pusher", "ORD", pusher % ("push.unbound", 6000000000, "true"))
    create("update_pusher_flow_control", "CREATE.ORD.pusher", "ORD", pusher % ("push.unbound", 5000000000, "false"))
    create("update_pusher_to_pull", "CREATE.ORD.pusher", "ORD",
           '{"durable_name":"pusher","ack_policy":"explicit","deliver_group":"grp"}')
    create("update_pusher_deliver_subject_unbound", "CREATE.ORD.pusher", "ORD",
           pusher % ("push.moved", 5000000000, "true"))
    create("update_pusher_deliver_group", "CREATE.ORD.pusher", "ORD",
           '{"durable_name":"pusher","deliver_subject":"push.moved","ack_policy":"explicit",'
           '"idle_heartbeat":5000000000,"flow_control":true}')
    create("create_push_bound", "CREATE.EPH.bound", "EPH",
           '{"durable_name":"bound","deliver_subject":"_INBOX.bound","ack_policy":"explicit"}')
    create("update_push_bound_deliver_subject", "CREATE.EPH.bound", "EPH",
           '{"durable_name":"bound","deliver_subject":"_INBOX.elsewhere","ack_policy":"explicit"}')

    # Ephemerals: the server names them; inactive_threshold defaults to 5 s.
    create("create_ephemeral_pull", "CREATE.EPH", "EPH", '{"ack_policy":"explicit","inactive_threshold":%d}' % hour)
    r(g, "info_ephemeral_pull", C + "INFO.EPH.{eph}")
    r(g, "delete_ephemeral_pull", C + "DELETE.EPH.{eph}")
    create("create_ephemeral_default_threshold", "CREATE.EPH", "EPH", '{"ack_policy":"explicit"}')
    r(g, "delete_ephemeral_default_threshold", C + "DELETE.EPH.{eph}")
    create("create_ordered", "CREATE.EPH", "EPH",
           '{"deliver_subject":"_INBOX.ordered","deliver_policy":"all","ack_policy":"none","max_deliver":1,'
           '"ack_wait":79200000000000,"replay_policy":"instant","idle_heartbeat":5000000000,"flow_control":true,'
           '"mem_storage":true,"num_replicas":1,"filter_subject":"eph.>","headers_only":true}')
    r(g, "delete_ordered", C + "DELETE.EPH.{eph}")
    create("create_named_ephemeral_default_threshold", "CREATE.EPH.short", "EPH", '{"ack_policy":"explicit"}')
    create("create_named_ephemeral_again", "CREATE.EPH.short", "EPH", '{"ack_policy":"explicit"}')
    r(g, "delete_named_ephemeral", C + "DELETE.EPH.short")
    create("create_ephemeral_name_in_body", "CREATE.EPH", "EPH",
           '{"name":"body","ack_policy":"explicit","inactive_threshold":%d}' % hour)
    r(g, "delete_ephemeral_name_in_body", C + "DELETE.EPH.body")
    create("create_ephemeral_body_name_path_separator", "CREATE.EPH", "EPH",
           '{"name":"a/b","ack_policy":"explicit","inactive_threshold":%d}' % hour)
    r(g, "delete_ephemeral_body_name_path_separator", C + "DELETE.EPH.a/b")

    # The checks of the create request, before the stream is looked up.
    create("error_empty_body", "CREATE.ORD.e", None, "")
    create("error_not_json", "CREATE.ORD.e", None, "{x")
    create("error_null_body", "CREATE.ORD.e", None, "null")
    create("error_config_wrong_type", "CREATE.ORD.e", "ORD", '{"ack_policy":"explicit","max_deliver":"3"}')
    create("error_deliver_policy_unknown", "CREATE.ORD.e", "ORD", '{"deliver_policy":"sometimes"}')
    create("error_ack_policy_null", "CREATE.ORD.e", "ORD", '{"ack_policy":null}')
    create("error_opt_start_time_bad", "CREATE.ORD.e", "ORD",
           '{"deliver_policy":"by_start_time","opt_start_time":"yesterday"}')
    create("error_stream_mismatch", "CREATE.ORD.e", "OTHER", '{"ack_policy":"explicit"}')
    create("error_stream_missing_in_body", "CREATE.ORD.e", None, '{"config":{"ack_policy":"explicit"}}')
    create("error_name_path_separator", "CREATE.ORD.a\\b", "ORD", '{"ack_policy":"explicit"}')
    create("error_legacy_durable_not_set", "DURABLE.CREATE.ORD.d", "ORD", '{"ack_policy":"explicit"}')
    create("error_legacy_durable_mismatch", "DURABLE.CREATE.ORD.d", "ORD", '{"durable_name":"x","ack_policy":"explicit"}')
    create("error_legacy_durable_path_separator", "DURABLE.CREATE.ORD.a/b", "ORD",
           '{"durable_name":"x","ack_policy":"explicit"}')
    create("error_durable_mismatch", "CREATE.ORD.d", "ORD", '{"durable_name":"x","ack_policy":"explicit"}')
    create("error_ephemeral_with_durable", "CREATE.ORD", "ORD", '{"durable_name":"x","ack_policy":"explicit"}')
    create("error_filter_mismatch", "CREATE.ORD.f.ord.new", "ORD", '{"durable_name":"f","filter_subject":"ord.old"}')
    create("error_filter_missing", "CREATE.ORD.f.ord.new", "ORD", '{"durable_name":"f"}')
    create("error_replicas_3", "CREATE.ORD.r", "ORD", '{"durable_name":"r","num_replicas":3}')
    create("error_stream_not_found", "CREATE.NOPE.x", "NOPE", '{"durable_name":"x"}')
    create("error_stream_not_found_before_config_checks", "CREATE.NOPE.x", "NOPE",
           '{"durable_name":"x","deliver_subject":"a.*"}')
    create("silence_legacy_durable_no_name", "DURABLE.CREATE.ORD", "ORD", '{"durable_name":"x"}')
    create("silence_legacy_durable_extra_token", "DURABLE.CREATE.ORD.x.y", "ORD", '{"durable_name":"x"}')
    r(g, "silence_create_no_stream", C + "CREATE", '{"stream_name":"ORD","config":{}}')

    # The checks of the configuration against the stream (checkConsumerCfg), in nats-server's order.
    create("error_replicas_negative", "CREATE.ORD.c", "ORD", '{"durable_name":"c","num_replicas":-1}')
    create("error_backoff_without_max_deliver", "CREATE.ORD.c", "ORD", '{"durable_name":"c","backoff":[1000000000]}')
    create("error_backoff_max_deliver_equal", "CREATE.ORD.c", "ORD",
           '{"durable_name":"c","backoff":[1000000000,2000000000],"max_deliver":2}')
    create("error_description_too_long", "CREATE.ORD.c", "ORD", '{"durable_name":"c","description":"%s"}' % ("d" * 4097))
    create("error_push_wildcard", "CREATE.ORD.c", "ORD", '{"durable_name":"c","deliver_subject":"out.*"}')
    create("error_push_invalid_subject", "CREATE.ORD.c", "ORD", '{"durable_name":"c","deliver_subject":"out..x"}')
    create("error_push_cycle", "CREATE.ORD.c", "ORD", '{"durable_name":"c","deliver_subject":"ord.new"}')
    create("error_push_max_waiting", "CREATE.ORD.c", "ORD", '{"durable_name":"c","deliver_subject":"out","max_waiting":3}')
    create("error_push_max_ack_pending_ack_none", "CREATE.ORD.c", "ORD",
           '{"durable_name":"c","deliver_subject":"out","max_ack_pending":3}')
    create("error_push_small_heartbeat", "CREATE.ORD.c", "ORD",
           '{"durable_name":"c","deliver_subject":"out","idle_heartbeat":50000000}')
    create("error_pull_workqueue_ack_none", "CREATE.WQ.c", "WQ", '{"durable_name":"c"}')
    create("error_pull_rate_limit", "CREATE.ORD.c", "ORD", '{"durable_name":"c","rate_limit_bps":5}')
    create("error_pull_max_waiting_negative", "CREATE.ORD.c", "ORD", '{"durable_name":"c","max_waiting":-1}')
    create("error_pull_heartbeat", "CREATE.ORD.c", "ORD", '{"durable_name":"c","idle_heartbeat":1000000000}')
    create("error_pull_flow_control", "CREATE.ORD.c", "ORD", '{"durable_name":"c","flow_control":true}')
    create("error_pull_max_batch_negative", "CREATE.ORD.c", "ORD", '{"durable_name":"c","max_batch":-1}')
    create("error_pull_max_expires_small", "CREATE.ORD.c", "ORD", '{"durable_name":"c","max_expires":1000}')
    create("error_direct_pull", "CREATE.ORD", "ORD", '{"direct":true}')
    create("error_direct_durable", "CREATE.ORD.c", "ORD", '{"durable_name":"c","direct":true,"deliver_subject":"out"}')
    create("error_filter_not_subset", "CREATE.ORD.c", "ORD", '{"durable_name":"c","filter_subject":"other.>"}')
    create("error_filter_invalid", "CREATE.ORD.c", "ORD", '{"durable_name":"c","filter_subject":"ord..x"}')
    for policy, extra in [("all", '"opt_start_seq":1'), ("all", '"opt_start_time":"2020-01-01T00:00:00Z"'),
                          ("last", '"opt_start_seq":1'), ("last", '"opt_start_time":"2020-01-01T00:00:00Z"'),
                          ("last_per_subject", '"opt_start_seq":1'),
                          ("last_per_subject", '"opt_start_time":"2020-01-01T00:00:00Z"'),
                          ("last_per_subject", '"ack_policy":"explicit"'),
                          ("new", '"opt_start_seq":1'), ("new", '"opt_start_time":"2020-01-01T00:00:00Z"'),
                          ("by_start_sequence", '"ack_policy":"explicit"'),
                          ("by_start_sequence", '"opt_start_seq":1,"opt_start_time":"2020-01-01T00:00:00Z"'),
                          ("by_start_time", '"ack_policy":"explicit"'),
                          ("by_start_time", '"opt_start_seq":1,"opt_start_time":"2020-01-01T00:00:00Z"')]:
        create("error_policy_%s_%s" % (policy, extra.split('"')[1]), "CREATE.ORD.c", "ORD",
               '{"durable_name":"c","deliver_policy":"%s",%s}' % (policy, extra))
    create("error_sample_freq_text", "CREATE.ORD.c", "ORD", '{"durable_name":"c","sample_freq":"often"}')
    create("error_sample_freq_negative", "CREATE.ORD.c", "ORD", '{"durable_name":"c","sample_freq":"-5%"}')
    create("error_sample_freq_huge", "CREATE.ORD.c", "ORD",
           '{"durable_name":"c","sample_freq":"99999999999999999999%"}')
    create("error_flow_control_without_heartbeat", "CREATE.ORD.c", "ORD",
           '{"durable_name":"c","deliver_subject":"out","flow_control":true}')
    create("error_durable_and_name_mismatch", "DURABLE.CREATE.ORD.c", "ORD", '{"durable_name":"c","name":"n"}')
    create("error_checks_before_update", "CREATE.ORD.worker", "ORD",
           '{"durable_name":"worker","ack_policy":"explicit","deliver_policy":"new","max_waiting":-1}')

    # The checks after the configuration's: the stream's limit, work queues, the name.
    create("create_maxc_first", "CREATE.MAXC.one", "MAXC", '{"durable_name":"one","ack_policy":"explicit"}')
    create("error_maxc_second", "CREATE.MAXC.two", "MAXC", '{"durable_name":"two","ack_policy":"explicit"}')
    create("update_maxc_first_at_limit", "CREATE.MAXC.one", "MAXC",
           '{"durable_name":"one","ack_policy":"explicit","description":"still"}')
    create("error_wq_push_ack_none", "CREATE.WQ.c", "WQ", '{"durable_name":"c","deliver_subject":"out"}')
    create("error_wq_not_deliver_all_first", "CREATE.WQ.c", "WQ",
           '{"durable_name":"c","ack_policy":"explicit","deliver_policy":"new"}')
    create("create_wq_filtered", "CREATE.WQ.a.wq.a.>", "WQ",
           '{"durable_name":"a","ack_policy":"explicit","filter_subject":"wq.a.>"}')
    create("error_wq_unfiltered_second", "CREATE.WQ.c", "WQ", '{"durable_name":"c","ack_policy":"explicit"}')
    create("error_wq_not_unique", "CREATE.WQ.c.wq.a.b", "WQ",
           '{"durable_name":"c","ack_policy":"explicit","filter_subject":"wq.a.b"}')
    # Neither filter is a subset of the other, so nats-server 2.9.10 does not see that they overlap.
    create("create_wq_overlap_undetected", "CREATE.WQ.c.wq.*.x", "WQ",
           '{"durable_name":"c","ack_policy":"explicit","filter_subject":"wq.*.x"}')
    create("create_wq_disjoint", "CREATE.WQ.b.wq.b", "WQ",
           '{"durable_name":"b","ack_policy":"explicit","filter_subject":"wq.b"}')
    create("update_wq_a_same", "CREATE.WQ.a.wq.a.>", "WQ",
           '{"durable_name":"a","ack_policy":"explicit","filter_subject":"wq.a.>","description":"again"}')
    create("error_name_too_long", "CREATE.ORD." + "n" * 256, "ORD",
           '{"durable_name":"%s","ack_policy":"explicit"}' % ("n" * 256))
    create("create_name_255", "CREATE.ORD." + "m" * 255, "ORD", '{"durable_name":"%s","ack_policy":"explicit"}' % ("m" * 255))
    r(g, "delete_name_255", C + "DELETE.ORD." + "m" * 255)
    create("create_non_durable_name_too_long", "CREATE.ORD." + "k" * 256, "ORD",
           '{"ack_policy":"explicit","inactive_threshold":%d}' % hour)
    r(g, "delete_non_durable_name_too_long", C + "DELETE.ORD." + "k" * 256)
    create("error_name_with_star", "CREATE.ORD.a*b", "ORD", '{"durable_name":"a*b","ack_policy":"explicit"}')
    create("error_ephemeral_body_name_with_dot", "CREATE.EPH", "EPH", '{"name":"a.b","ack_policy":"explicit"}')
    create("error_ephemeral_body_name_with_space", "CREATE.EPH", "EPH", '{"name":"a b","ack_policy":"explicit"}')
    create("error_legacy_durable_with_gt", "DURABLE.CREATE.ORD.a>", "ORD", '{"durable_name":"a>","ack_policy":"explicit"}')

    # INFO, DELETE, NAMES, LIST.
    r(g, "info_worker", C + "INFO.ORD.worker")
    r(g, "info_pusher", C + "INFO.ORD.pusher")
    r(g, "info_bound", C + "INFO.EPH.bound")
    r(g, "info_missing_consumer", C + "INFO.ORD.nope")
    r(g, "info_missing_stream", C + "INFO.NOPE.worker")
    r(g, "info_with_body", C + "INFO.ORD.worker", '{"x":1}')
    r(g, "info_with_empty_object", C + "INFO.ORD.worker", "{}")
    r(g, "info_no_consumer_token", C + "INFO.ORD")
    r(g, "names", C + "NAMES.ORD")
    r(g, "names_offset", C + "NAMES.ORD", '{"offset":3}')
    r(g, "names_offset_past_end", C + "NAMES.ORD", '{"offset":100}')
    r(g, "names_empty_stream", C + "NAMES.MAXC", '{"offset":0}')
    r(g, "names_missing_stream", C + "NAMES.NOPE")
    r(g, "names_bad_json", C + "NAMES.ORD", '{"offset":"x"}')
    r(g, "names_not_json", C + "NAMES.ORD", "{x")
    r(g, "names_missing_stream_bad_json", C + "NAMES.NOPE", '{"offset":1.5}')
    r(g, "list", C + "LIST.ORD")
    r(g, "list_offset", C + "LIST.ORD", '{"offset":11}')
    r(g, "list_offset_past_end", C + "LIST.ORD", '{"offset":100}')
    r(g, "list_wq", C + "LIST.WQ")
    r(g, "list_missing_stream", C + "LIST.NOPE")
    r(g, "list_bad_json", C + "LIST.ORD", '{"offset":"x"}')
    r(g, "delete_legacy", C + "DELETE.ORD.legacy")
    r(g, "delete_legacy_again", C + "DELETE.ORD.legacy")
    r(g, "delete_missing_stream", C + "DELETE.NOPE.legacy")
    r(g, "delete_with_body", C + "DELETE.ORD.worker", '{"x":1}')
    r(g, "delete_no_consumer_token", C + "DELETE.ORD")
    r(g, "names_after_delete", C + "NAMES.ORD")
    r(g, "stream_info_consumer_count", A + "STREAM.INFO.ORD")
    r(g, "stream_info_wq_consumer_count", A + "STREAM.INFO.WQ")
    r(g, "account_info_consumers", A + "INFO")


if __name__ == "__main__":
    sys.exit(main())
