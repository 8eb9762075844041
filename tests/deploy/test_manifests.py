#!/usr/bin/env python3
"""deploy/ against what ternd serves: the Kubernetes manifest and the compose file parse, name the ports the
image exposes, and their probes, health checks and preStop hook work against a ternd started with the
image's own configuration file (deploy/image/ternd.conf).

Usage: test_manifests.py TERND REPO_ROOT. Prints "SKIPPED: ..." when PyYAML is missing."""
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import yaml
except ImportError:
    print("SKIPPED: python3-yaml is not installed (scripts/setup installs it)")
    sys.exit(0)

TERND, ROOT = sys.argv[1], sys.argv[2]
IMAGE_BINARY = "/usr/local/bin/ternd"
IMAGE_CONFIG = "/etc/ternd/ternd.conf"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def containerfile():
    """ENV, EXPOSE, HEALTHCHECK and ENTRYPOINT of deploy/image/Containerfile."""
    text = open(os.path.join(ROOT, "deploy/image/Containerfile")).read().replace("\\\n", " ")
    env, exposed, healthcheck, entrypoint = {}, set(), None, None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "ENV":
            env.update(word.split("=", 1) for word in words[1:])
        elif words[0] == "EXPOSE":
            exposed.update(int(word) for word in words[1:])
        elif words[0] == "HEALTHCHECK":
            healthcheck = yaml.safe_load(line[line.index("CMD") + 3:])
        elif words[0] == "ENTRYPOINT":
            entrypoint = yaml.safe_load(line[len("ENTRYPOINT"):])
    return env, exposed, healthcheck, entrypoint


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_command(command, ports):
    """An image command made runnable here: the built ternd and config, the image's ports mapped."""
    mapped = []
    for word in command:
        word = {IMAGE_BINARY: TERND, IMAGE_CONFIG: os.path.join(ROOT, "deploy/image/ternd.conf")}.get(word, word)
        for image_port, local_port in ports.items():
            word = re.sub(r"(://[^/]*:)%d\b" % image_port, r"\g<1>%d" % local_port, word)
        mapped.append(word)
    return mapped


def main():
    env, exposed, healthcheck, entrypoint = containerfile()
    client_port, monitor_port = int(env["TERN_PORT"]), int(env["TERN_HTTP_PORT"])
    check(exposed == {client_port, monitor_port}, "EXPOSE %s is not the configured ports" % sorted(exposed))
    check(healthcheck is not None and healthcheck[0] == IMAGE_BINARY and "--healthcheck" in healthcheck,
          "the image's HEALTHCHECK does not run ternd --healthcheck: %r" % healthcheck)
    check(entrypoint[:3] == [IMAGE_BINARY, "-c", IMAGE_CONFIG], "ENTRYPOINT %r" % entrypoint)

    documents = list(yaml.safe_load_all(open(os.path.join(ROOT, "deploy/kubernetes/deployment.yaml"))))
    deployment = next(d for d in documents if d and d.get("kind") == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    sidecars = [c for c in pod.get("initContainers", []) if c.get("restartPolicy") == "Always"]
    check(len(sidecars) == 1, "expected one native sidecar (an init container with restartPolicy: Always)")
    sidecar = sidecars[0]
    check({p["containerPort"] for p in sidecar["ports"]} == exposed, "sidecar ports %r" % sidecar["ports"])
    check("livenessProbe" in sidecar and "readinessProbe" in sidecar, "liveness or readiness probe is missing")
    check(set(sidecar["resources"]["requests"]) == {"cpu", "memory"}, "resource requests are missing")
    prestop = sidecar["lifecycle"]["preStop"]["exec"]["command"]
    check(prestop == [IMAGE_BINARY, "--signal", "ldm"], "preStop %r" % prestop)

    compose = yaml.safe_load(open(os.path.join(ROOT, "deploy/compose.yaml")))
    service = compose["services"]["ternd"]
    published = {int(p.rsplit(":", 1)[1]) for p in service["ports"]}
    check(published == exposed, "compose publishes %r" % sorted(published))
    check(all(p.startswith("127.0.0.1:") for p in service["ports"]), "compose publishes beyond 127.0.0.1")
    check(service["healthcheck"]["test"][1:] == healthcheck, "compose's health check differs from the image's")

    # ternd with the image's configuration file, as the image starts it, on free ports of 127.0.0.1.
    ports = {client_port: free_port(), monitor_port: free_port()}
    run_env = dict(os.environ, TERN_HOST="127.0.0.1", TERN_PORT=str(ports[client_port]),
                   TERN_HTTP_PORT=str(ports[monitor_port]))
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(local_command(entrypoint, ports), env=run_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        probe = [TERND, "--healthcheck", "nats://127.0.0.1:%d" % ports[client_port]]
        while subprocess.run(probe, capture_output=True).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                raise SystemExit("FAIL: ternd did not start with the image's configuration:\n" + log.read().decode())

        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            probe = sidecar.get(kind)
            if probe is None:
                continue
            if "httpGet" in probe:
                get = probe["httpGet"]
                check(get["port"] in ports, "%s port %r is not one ternd listens on" % (kind, get["port"]))
                url = "http://127.0.0.1:%d%s" % (ports.get(get["port"], 0), get["path"])
                try:
                    with urllib.request.urlopen(url, timeout=5) as answer:
                        status, body = answer.status, answer.read()
                except OSError as error:
                    status, body = str(error), b""
                check(status == 200 and body == b'{"status":"ok"}', "%s GET %s: %r %r" % (kind, url, status, body))
            if "exec" in probe:
                command = local_command(probe["exec"]["command"], ports)
                result = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=10)
                check(result.returncode == 0, "%s %s: exit %d %s" % (kind, shlex.join(command), result.returncode,
                                                                     result.stderr))
        for name, command in (("HEALTHCHECK", healthcheck), ("compose healthcheck", service["healthcheck"]["test"][1:])):
            result = subprocess.run(local_command(command, ports), env=run_env, capture_output=True, text=True,
                                    timeout=10)
            check(result.returncode == 0 and "healthy" in result.stdout, "%s: %s %s" % (name, result.stdout,
                                                                                     result.stderr))

        # The preStop hook, given this server's pid (other ternds may run on this machine; in the pod, ternd
        # is the container's only one and is found without it).
        command = local_command(prestop, ports)
        command[-1] += "=%d" % server.pid
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
        check(result.returncode == 0, "preStop %s: exit %d %s" % (shlex.join(command), result.returncode, result.stderr))
        try:
            check(server.wait(timeout=10) == 0, "ternd exited %r after lame-duck mode" % server.returncode)
        except subprocess.TimeoutExpired:
            check(False, "ternd was still running 10 s after the preStop hook")
        log.seek(0)
        check(b"Entering lame duck mode" in log.read(), "ternd did not enter lame-duck mode")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    if failures:
        sys.exit(1)
    print("PASS: deploy/ manifests parse and their ports, probes and hooks match what ternd serves")


main()
