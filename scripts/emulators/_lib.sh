# shellcheck shell=bash disable=SC2034,SC2154
# Shared by start-moto, start-localstack and stop; sourced, not run.
# The calling script sets emu_python (the venv's python) and defines:
#   emu_command PORT  set the array emu_cmd to the command line (starting with `env`) that runs
#                     the emulator in the foreground, bound to 127.0.0.1:PORT
#   emu_probe PORT    exit 0 once the emulator answers as ready
#   emu_warm PORT     (optional) requests to make once it answers, before it counts as ready
# and then calls: emu_main NAME "$@"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv_root="${CUTOVER_VENV:-$repo/.venv}"
timeout_s="${CUTOVER_EMULATOR_TIMEOUT:-60}"

# Loopback only, never through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

emu_name=emulator
say() { printf '%s: %s\n' "$emu_name" "$*"; }
die() { printf '%s: error: %s\n' "$emu_name" "$*" >&2; exit 1; }

# A port that was free on 127.0.0.1 a moment ago (the kernel picks it).
emu_free_port() {
    "$emu_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# GET http://127.0.0.1:PORT/PATH without any proxy; prints "STATUS BODY", never fails.
emu_http_get() {
    "$emu_python" - "$1" "$2" <<'PY' 2>/dev/null || echo "000"
import sys, urllib.request, urllib.error
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
url = "http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2])
try:
    with opener.open(url, timeout=2) as r:
        print(r.status, r.read().decode("utf-8", "replace").replace("\n", " "))
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode("utf-8", "replace").replace("\n", " "))
except Exception:
    print("000")
PY
}

emu_elapsed() { # start-ms -> seconds with one decimal
    local ms=$(($(date +%s%3N) - $1))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

emu_alive() { kill -0 "$1" 2>/dev/null; }

emu_kill_group() { # pid: TERM the process group, KILL it after 10 s
    local pid="$1" i
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        emu_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

emu_main() {
    emu_name="$1"
    shift
    [[ $# -eq 1 && -n "$1" ]] || { echo "usage: $(basename "$0") PORT_FILE" >&2; exit 2; }
    port_file="$1"
    mkdir -p "$(dirname "$port_file")"
    port_file="$(cd "$(dirname "$port_file")" && pwd)/$(basename "$port_file")"
    log="$port_file.log"
    state_dir="$port_file.d" # scratch space for the emulator; `stop` removes it

    [[ -x "$emu_python" ]] || die "no venv at $(dirname "$(dirname "$emu_python")"); run scripts/emulators/install first"

    if [[ -f "$port_file" ]]; then
        local old_port old_pid
        read -r old_port old_pid <"$port_file" || true
        if [[ "${old_pid:-}" =~ ^[0-9]+$ ]] && emu_alive "$old_pid"; then
            die "$port_file says one is already running (port $old_port, pid $old_pid); run scripts/emulators/stop $port_file first"
        fi
        rm -f "$port_file"
    fi
    rm -rf "$state_dir"
    mkdir -p "$state_dir"
    : >"$state_dir/.cutover-emulator" # marks the directory as ours for `stop`

    local attempt port pid pidfile="$state_dir/pid" t0 deadline
    for attempt in 1 2 3; do
        port="$(emu_free_port)"
        say "starting on 127.0.0.1:$port (attempt $attempt, log $log)"
        rm -f "$pidfile"
        emu_command "$port"
        # New session so that `stop` can end the emulator and anything it spawns as one group;
        # stdin/stdout/stderr detached so a caller reading our output is not kept waiting.
        # shellcheck disable=SC2016 # $$ and $@ are for the inner bash
        setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${emu_cmd[@]}" \
            </dev/null >"$log" 2>&1 &
        t0=$(date +%s%3N)
        deadline=$((SECONDS + timeout_s))
        while [[ ! -s "$pidfile" ]] && ((SECONDS < deadline)); do sleep 0.05; done
        pid="$(cat "$pidfile" 2>/dev/null || true)"
        [[ "$pid" =~ ^[0-9]+$ ]] || die "could not start (no pid); log tail:$(printf '\n'; tail -n 40 "$log")"

        while ((SECONDS < deadline)); do
            if ! emu_alive "$pid"; then
                if grep -qi 'address already in use' "$log" && ((attempt < 3)); then
                    say "port $port was taken meanwhile; retrying with another"
                    continue 2
                fi
                printf '%s: error: exited before answering on 127.0.0.1:%s; last lines of %s:\n' \
                    "$emu_name" "$port" "$log" >&2
                tail -n 40 "$log" >&2
                exit 1
            fi
            if emu_probe "$port"; then
                if declare -F emu_warm >/dev/null && ! emu_warm "$port" >>"$log.warm" 2>&1; then
                    emu_kill_group "$pid"
                    printf '%s: error: answered on 127.0.0.1:%s but the warm-up calls failed; stopped it:\n' \
                        "$emu_name" "$port" >&2
                    tail -n 20 "$log.warm" "$log" >&2
                    exit 1
                fi
                rm -f "$log.warm"
                printf '%s %s\n' "$port" "$pid" >"$port_file.tmp"
                mv "$port_file.tmp" "$port_file"
                say "ready on http://127.0.0.1:$port (pid $pid) after $(emu_elapsed "$t0") s; wrote $port_file"
                return 0
            fi
            sleep 0.2
        done
        emu_kill_group "$pid"
        printf '%s: error: not ready on 127.0.0.1:%s within %s s; stopped it; last lines of %s:\n' \
            "$emu_name" "$port" "$timeout_s" "$log" >&2
        tail -n 40 "$log" >&2
        exit 1
    done
    die "could not find a free port in 3 attempts"
}
