# shellcheck shell=bash
# Sourced by the integration targets' runme.sh: starts the cloud emulator on a free 127.0.0.1 port for the
# duration of the target and stops it on exit. Sets EMULATOR_URL and PYTHON, and the credentials the emulator
# accepts as EMULATOR_HUAWEI_ACCESS_KEY, EMULATOR_TENCENT_SECRET_ID, ... (tests/emulator/credentials.py).

PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
# ansible-test runs targets from a copy: find the emulator in the collection tree it tests.
EMULATOR_DIR=""
for root in $(echo "${ANSIBLE_COLLECTIONS_PATH:-}" | tr ':' ' ') "$(dirname "${BASH_SOURCE[0]}")/../../../.."; do
    for candidate in "$root/ansible_collections/cloudjobs/cleanup/tests/emulator" "$root/tests/emulator"; do
        if [ -f "$candidate/__main__.py" ]; then EMULATOR_DIR="$candidate"; break 2; fi
    done
done
[ -n "$EMULATOR_DIR" ] || { echo "cannot find tests/emulator of the collection" >&2; exit 1; }
EMULATOR_TMP="$(mktemp -d "${TMPDIR:-/tmp}/cloudjobs-emulator.XXXXXX")"

stop_emulator() {
    if [ -n "${EMULATOR_PID:-}" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$EMULATOR_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$EMULATOR_TMP"
}
trap stop_emulator EXIT

# The Huawei SDK that verifies signatures writes under HOME on import: give it a throwaway one.
HOME="$EMULATOR_TMP" "$PYTHON" "$EMULATOR_DIR" --port 0 --port-file "$EMULATOR_TMP/port" \
    > "$EMULATOR_TMP/emulator.log" 2>&1 &
EMULATOR_PID=$!

for _ in $(seq 1 150); do
    [ -s "$EMULATOR_TMP/port" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$EMULATOR_TMP/emulator.log" >&2; exit 1; }
    sleep 0.1
done
[ -s "$EMULATOR_TMP/port" ] || { echo "the emulator did not start within 15 s" >&2; cat "$EMULATOR_TMP/emulator.log" >&2; exit 1; }
EMULATOR_URL="http://127.0.0.1:$(cat "$EMULATOR_TMP/port")"
export EMULATOR_URL PYTHON
eval "$("$PYTHON" "$EMULATOR_DIR" --print-credentials shell)"

# emulator_call METHOD PATH [JSON]: one control-API call (no curl needed).
emulator_call() {
    "$PYTHON" - "$EMULATOR_URL$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=30) as resp:
    sys.stdout.write(resp.read().decode())
PY
}
