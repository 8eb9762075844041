#!/usr/bin/env bash
# The container image end to end (tests/CMakeLists.txt registers it; scripts/image builds the image first,
# in the "container: image" test). Runs tern:<version> with its ports published on 127.0.0.1, connects the
# C++ client (the tern command line) and libnats, has them exchange messages, runs the image's health
# check, stops the container and checks that it exits 0 within 2 s. Prints the image's size and the time
# from `podman run` to the first accepted connection. Prints "SKIPPED: ..." when podman cannot run
# containers on this machine.
# Usage: test_container.sh TERND TERN_CLI LIBNATS_ROUNDTRIP
set -euo pipefail
ternd=$1 tern=$2 libnats_roundtrip=$3
version=$("$ternd" --version)
image="tern:${version##*v}"

command -v podman >/dev/null || { echo "SKIPPED: podman is not installed (scripts/setup installs it)"; exit 0; }
podman image exists "$image" || { echo "FAIL: $image does not exist (scripts/image builds it)"; exit 1; }

work=$(mktemp -d)
name="tern-test-$$"
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  [ -n "${sub_pid:-}" ] && kill "$sub_pid" 2>/dev/null || true
  [ -n "${libnats_pid:-}" ] && kill "$libnats_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  podman logs "$name" 2>&1 | sed 's/^/  container: /' || true
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Waits until FILE contains TEXT, for at most SECONDS.
wait_for_text() {
  local file=$1 text=$2 deadline=$(($(now_ms) + $3 * 1000))
  until grep -qF -- "$text" "$file" 2>/dev/null; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image $image: $size bytes uncompressed"
[ "$size" -lt 5000000 ] || fail "the image is $size bytes, not under 5 MB"

# This kind of machine needs runc (crun refuses its hybrid cgroups) and ulimits within the hard limits.
run_flags=(--runtime runc --ulimit nofile=4096:4096 --ulimit nproc=1024:1024)
started=$(now_ms)
if ! podman run -d --name "$name" "${run_flags[@]}" -p 127.0.0.1::4222 -p 127.0.0.1::8222 "$image" \
    >"$work/run.out" 2>"$work/run.err"; then
  reason=$(grep -v 'systemd' "$work/run.err" | tail -n 3 | tr '\n' ' ')
  echo "SKIPPED: podman cannot run containers here: $reason"
  exit 0
fi
port=$(podman port "$name" 4222/tcp) && port=${port##*:}
monitor_port=$(podman port "$name" 8222/tcp) && monitor_port=${monitor_port##*:}
url="nats://127.0.0.1:$port"

# The first accepted connection: the probe's PONG, tried again until it comes, for at most 10 s.
deadline=$((started + 10000))
until "$ternd" --healthcheck "$url" >/dev/null 2>&1; do
  [ "$(now_ms)" -lt "$deadline" ] || fail "no connection accepted on $url within 10 s of podman run"
done
echo "podman run to first accepted connection: $(($(now_ms) - started)) ms"
[ "$(podman inspect --format '{{.Config.User}}' "$name")" = "65532:65532" ] || fail "the container does not run as 65532"

# The C++ client subscribes, libnats publishes to it and waits for the C++ client's message.
"$tern" sub container.to-cpp --count 1 -s "$url" >"$work/sub.out" 2>"$work/sub.err" &
sub_pid=$!
wait_for_text "$work/sub.err" "Subscribing on container.to-cpp" 10 || fail "tern sub did not subscribe: $(cat "$work/sub.err")"
"$libnats_roundtrip" "$url" container.to-c container.to-cpp >"$work/libnats.out" 2>"$work/libnats.err" &
libnats_pid=$!
wait_for_text "$work/libnats.out" READY 10 || fail "libnats did not get ready: $(cat "$work/libnats.err")"
"$tern" pub container.to-c from-cpp -s "$url" >/dev/null 2>"$work/pub.err" || fail "tern pub: $(cat "$work/pub.err")"
wait "$libnats_pid" || fail "libnats: $(cat "$work/libnats.err")"
libnats_pid=
[ "$(cat "$work/libnats.out")" = $'READY\nreceived from-cpp' ] || fail "libnats printed: $(cat "$work/libnats.out")"
wait "$sub_pid" || fail "tern sub: $(cat "$work/sub.err")"
sub_pid=
grep -qx 'from-libnats' "$work/sub.out" || fail "tern sub printed: $(cat "$work/sub.out")"
echo "C++ client and libnats exchanged messages through the container"

# The image's HEALTHCHECK (ternd --healthcheck: /healthz on the monitoring port). Without systemd no timer
# runs it, so it is run here; podman then records the state.
podman healthcheck run "$name" >"$work/health.out" 2>&1 || fail "podman healthcheck run: $(cat "$work/health.out")"
[ "$(podman inspect --format '{{.State.Health.Status}}' "$name")" = healthy ] || fail "health status is not healthy"
"$ternd" --healthcheck "http://127.0.0.1:$monitor_port/healthz" >/dev/null || fail "/healthz through the published port"
echo "health check passed"

# SIGTERM to PID 1 (podman stop), with a client still connected: it must drain and exit 0 within 2 s.
"$tern" sub container.idle -s "$url" >/dev/null 2>"$work/idle.err" &
sub_pid=$!
wait_for_text "$work/idle.err" "Subscribing on container.idle" 10 || fail "the idle subscriber did not subscribe"
stopping=$(now_ms)
podman stop -t 10 "$name" >/dev/null 2>&1 || fail "podman stop failed"
stop_ms=$(($(now_ms) - stopping))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
echo "podman stop: exited $exit_code after $stop_ms ms"
[ "$exit_code" = 0 ] || fail "ternd exited $exit_code on SIGTERM"
[ "$stop_ms" -lt 2000 ] || fail "stopping took $stop_ms ms"
podman logs "$name" 2>&1 | grep -q "Server Exiting" || fail "the log does not end with Server Exiting"
echo "PASS"
