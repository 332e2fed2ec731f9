# lib-crash.sh: build a fixture of src/test/go and crash it until it dies the way
# its truth.json says. Sourced by scripts/make-sample-cores and scripts/accuracy
# (bash, `set -euo pipefail`); it defines functions and globals prefixed crash_ /
# CRASH_ and runs nothing when sourced.
#
#   crash_preflight                      tools, core_pattern, core size limit
#   crash_local_go                       the machine's Go version ("1.26.8")
#   crash_toolchain VERSION              CRASH_TC, CRASH_GOROOT, CRASH_GOCMD, CRASH_CHANGO
#   crash_build_checker DIR              builds scripts/lib-samplecheck.go: CRASH_CHECK
#   crash_fixtures                       names of the fixtures (directories with truth.json)
#   crash_kinds                          the build kinds, one a line
#   crash_kind_dir VERSION KIND          go<VERSION> for static, go<VERSION>-<KIND> otherwise
#   crash_kind_module KIND               the module path a kind builds the fixtures as
#   crash_build NAME BIN [KIND]          go build with CRASH_GOCMD as KIND (default static),
#                                        then the truth/binary check
#   crash_reproduce NAME BIN GOMAXPROCS RUNPREFIX ATTEMPTS
#                                        runs until the crash matches the truth:
#                                        CRASH_RUN, CRASH_CORE, CRASH_SITE, CRASH_ATTEMPTS
#   crash_check_channel NAME BIN CORE STDERR
#                                        the core's channel against the truth (gdb):
#                                        CRASH_CHAN_CHECKED
# On failure a function returns 1 and leaves the reason in CRASH_LAST.

CRASH_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CRASH_ROOT="$(cd "$CRASH_SCRIPTS/.." && pwd)"
CRASH_FIXTURES="$CRASH_ROOT/src/test/go"
CRASH_PROG="${CRASH_PROG:-$(basename "$0")}"
CRASH_LAST=""
CRASH_GDB=""
CRASH_CORE_PATTERN=""

crash_die() { printf '%s: %s\n' "$CRASH_PROG" "$*" >&2; exit 1; }
crash_log() { printf '%s\n' "$*" >&2; }

# crash_preflight TOOL...: the tools must exist (go, od, timeout are always
# needed), the kernel must write cores as files in the working directory, and
# the core size limit must be raisable. Sets CRASH_GDB (empty without gdb) and
# CRASH_CORE_PATTERN. Exits 2 when cores are piped to a program.
crash_preflight() {
  local tool
  for tool in go od timeout sha256sum "$@"; do
    command -v "$tool" >/dev/null || crash_die "$tool is required"
  done
  CRASH_GDB="$(command -v gdb || true)"
  CRASH_CORE_PATTERN="$(cat /proc/sys/kernel/core_pattern)"
  if [[ "$CRASH_CORE_PATTERN" == \|* ]]; then
    cat >&2 <<EOF
$CRASH_PROG: the kernel pipes core dumps to a program:
    kernel.core_pattern = $CRASH_CORE_PATTERN
(systemd-coredump or apport). This script needs the core written as a file in the
crashing process's working directory. On a machine you control:
    sudo sysctl -w kernel.core_pattern=core
and restore the old value afterwards (sudo sysctl -w 'kernel.core_pattern=$CRASH_CORE_PATTERN').
In a container, core_pattern is the host's: set it on the host, or run this
script on a machine or VM where it is 'core'.
EOF
    exit 2
  fi
  if [[ "$CRASH_CORE_PATTERN" == /* ]]; then
    crash_die "kernel.core_pattern=$CRASH_CORE_PATTERN writes cores to an absolute path; set it to 'core' (sudo sysctl -w kernel.core_pattern=core)"
  fi
  if ! (ulimit -c unlimited) 2>/dev/null; then
    crash_die "cannot raise the core size limit (ulimit -Hc is $(ulimit -Hc)); raise the hard limit first"
  fi
}

crash_local_go() {
  local v
  v="$(GOTOOLCHAIN=local go env GOVERSION)"
  printf '%s\n' "${v#go}"
}

# crash_toolchain VERSION: the toolchain of Go VERSION, the machine's through
# GOTOOLCHAIN=local and any other through GOTOOLCHAIN=go<VERSION> (downloaded
# by the go command from the module proxy on first use).
crash_toolchain() {
  local ver="$1" got
  if [[ "$ver" == "$(crash_local_go)" ]]; then CRASH_TC=local; else CRASH_TC="go$ver"; fi
  got="$(cd / && GOTOOLCHAIN=$CRASH_TC go env GOVERSION)" || crash_die "cannot get toolchain go$ver"
  [[ "$got" == "go$ver" ]] || crash_die "GOTOOLCHAIN=$CRASH_TC gives $got, not go$ver"
  CRASH_GOROOT="$(cd / && GOTOOLCHAIN=$CRASH_TC go env GOROOT)"
  CRASH_GOCMD="$CRASH_GOROOT/bin/go"
  CRASH_CHANGO="$CRASH_GOROOT/src/runtime/chan.go"
  CRASH_VERSION="$ver"
  [[ -f "$CRASH_CHANGO" ]] || crash_die "no $CRASH_CHANGO"
}

# crash_build_checker DIR: builds the truth/crash checker into DIR/samplecheck.
crash_build_checker() {
  mkdir -p "$1"
  (cd "$CRASH_ROOT" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -o "$1/samplecheck" scripts/lib-samplecheck.go) || crash_die "cannot build scripts/lib-samplecheck.go"
  CRASH_CHECK="$1/samplecheck"
}

crash_fixtures() {
  local d
  for d in "$CRASH_FIXTURES"/*/; do
    [[ -f "$d/truth.json" ]] && basename "$d"
  done
  return 0
}

# Build kinds: the ways production builds a Go service, each a column of the
# fixture matrix (docs/fixtures.md):
#   static    CGO_ENABLED=0: static, non-PIE (directory go<V>)
#   pie       -buildmode=pie, internal linking: loaded at a random base
#   cgo       a file with import "C" added to the program, CGO_ENABLED=1:
#             linked with libc by the external linker, as a net/http service
#             built on a machine with gcc is
#   cgopie    cgo and -buildmode=pie (what distributions ship)
#   race      -race (the race runtime is C, linked with libc)
#   extlink   -ldflags=-linkmode=external, no cgo code
#   trimpath  -trimpath: file names relative to the module
#   dotless   the fixtures' module renamed to a path without a dot (fixtures)
#   stripped  -ldflags="-s -w": no symbol table, no DWARF, as release images
#             ship (docs/stripped.md); the truth is checked on the unstripped
#             twin, built the same way without the flag (same code)
#   arm64     static, GOARCH=arm64, run under qemu-aarch64-static (qemu-user-static),
#             which writes the guest's aarch64 core as qemu_<prog>_<date>_<pid>.core
#             beside the host's core of qemu itself (removed); docs/arm64.md
# Every kind keeps inlining and optimizations on, as in production.
CRASH_KINDS="static pie cgo cgopie race extlink trimpath dotless stripped arm64"
CRASH_DOTLESS_MODULE="fixtures"

crash_kinds() { printf '%s\n' $CRASH_KINDS; }

crash_kind_dir() { # VERSION KIND
  if [[ "${2:-static}" == static ]]; then printf 'go%s\n' "$1"; else printf 'go%s-%s\n' "$1" "$2"; fi
}

crash_kind_arch() { # KIND: its GOARCH
  if [[ "${1:-static}" == arm64 ]]; then printf 'arm64\n'; else printf 'amd64\n'; fi
}

# crash_kind_runner KIND: the program that runs a KIND binary (empty: none), and
# the gdb that reads its core; dies naming the package when it is missing.
crash_kind_runner() {
  if [[ "$(crash_kind_arch "$1")" == arm64 ]]; then
    command -v qemu-aarch64-static >/dev/null || crash_die "arm64 needs qemu-aarch64-static (apt-get install qemu-user-static)"
    printf '%s\n' "$(command -v qemu-aarch64-static)"
  fi
}

crash_kind_gdb() { # KIND: the gdb for its cores (empty without one)
  if [[ "$(crash_kind_arch "$1")" == arm64 ]]; then command -v gdb-multiarch || true; else printf '%s\n' "$CRASH_GDB"; fi
}

crash_kind_module() { # KIND
  if [[ "$1" == dotless ]]; then printf '%s\n' "$CRASH_DOTLESS_MODULE"; else printf 'chanscope.dev/fixtures\n'; fi
}

# crash_kind_tree KIND: the directory to build KIND from. Most kinds build the
# fixtures as they are; cgo adds a file to every main package and dotless
# renames the module, both in a copy made once under CRASH_TREES (set by the
# caller to a work directory).
#
# A toolchain older than the go line of the fixtures' go.mod (1.22) cannot
# build them as they are; for those (crash_old_go VERSION) the copy's go.mod
# says go 1.18 (tree KIND-go118), which the fixtures are written to build with.
crash_kind_tree() {
  local kind="$1" goline="${2:-}" tree d
  if [[ -z "$goline" ]]; then
    case "$kind" in
      cgo|cgopie|dotless) ;;
      *) printf '%s\n' "$CRASH_FIXTURES"; return 0 ;;
    esac
  fi
  tree="${CRASH_TREES:?CRASH_TREES not set}/$kind${goline:+-go${goline//./}}"
  if [[ ! -f "$tree/.complete" ]]; then
    rm -rf "$tree"
    mkdir -p "$tree"
    cp -r "$CRASH_FIXTURES"/. "$tree"/
    if [[ -n "$goline" ]]; then
      sed -i "s#^go [0-9.]*\$#go $goline#" "$tree/go.mod"
    fi
    if [[ "$kind" == dotless ]]; then
      sed -i "s#^module chanscope.dev/fixtures\$#module $CRASH_DOTLESS_MODULE#" "$tree/go.mod"
      grep -rl --include='*.go' '"chanscope.dev/fixtures/' "$tree" | xargs -r sed -i "s#\"chanscope.dev/fixtures/#\"$CRASH_DOTLESS_MODULE/#g"
    elif [[ "$kind" == cgo || "$kind" == cgopie ]]; then
      for d in "$tree"/*/; do
        grep -qs '^package main$' "$d"*.go && cp "$CRASH_SCRIPTS/lib-cgo-link.go.txt" "$d/zz_cgo_link.go"
      done
    fi
    touch "$tree/.complete"
  fi
  printf '%s\n' "$tree"
}

# crash_old_go VERSION: true when VERSION is older than the fixtures' go line (1.22).
crash_old_go() {
  local minor="${1#1.}"
  minor="${minor%%.*}"
  [[ "$minor" =~ ^[0-9]+$ && "$minor" -lt 22 ]]
}

crash_kind_flags() { # KIND: the go build flags and CGO_ENABLED, as "CGO FLAGS..."
  case "$1" in
    static) echo "0" ;;
    pie) echo "0 -buildmode=pie" ;;
    cgo) echo "1" ;;
    cgopie) echo "1 -buildmode=pie" ;;
    race) echo "1 -race" ;;
    extlink) echo "1 -ldflags=-linkmode=external" ;;
    trimpath) echo "0 -trimpath" ;;
    dotless) echo "0" ;;
    stripped) echo "0" ;; # -ldflags="-s -w" is added by crash_build (one flag with a space)
    arm64) echo "0" ;;
    *) return 1 ;;
  esac
}

# crash_build NAME BIN [KIND]: builds the fixture as KIND (default static) with
# the toolchain of the last crash_toolchain call and checks that the truth's
# closer and sender lines are channel operations in the binary.
crash_build() {
  local n="$1" bin="$2" kind="${3:-static}" tree spec cgo flags_s
  local -a flags
  spec="$(crash_kind_flags "$kind")" || { CRASH_LAST="unknown build kind $kind (have: $CRASH_KINDS)"; return 1; }
  read -r cgo flags_s <<<"$spec"
  flags=()
  [[ -n "${flags_s:-}" ]] && read -r -a flags <<<"$flags_s"
  tree="$(crash_kind_tree "$kind" "$(crash_old_go "$CRASH_VERSION" && echo 1.18)")"
  mkdir -p "$(dirname "$bin")"
  # (GODEBUG=goindex=0: the Go 1.19 toolchain cannot read this machine's module index otherwise)
  if ! (cd "$tree" && GODEBUG=goindex=0 GOTOOLCHAIN=local GOARCH="$(crash_kind_arch "$kind")" CGO_ENABLED="$cgo" GOFLAGS=-buildvcs=false "$CRASH_GOCMD" build "${flags[@]}" -o "$bin" "./$n"); then
    CRASH_LAST="go build of $n ($kind) failed"
    return 1
  fi
  if ! FIXTURE_MODULE="$(crash_kind_module "$kind")" "$CRASH_CHECK" truth -fixtures "$CRASH_FIXTURES" -name "$n" -binary "$bin" -goroot "$CRASH_GOROOT"; then
    CRASH_LAST="$n: truth.json does not match the $kind binary"
    return 1
  fi
  if [[ "$kind" == stripped ]]; then
    # The truth was checked on the unstripped build (it needs the symbols); the
    # stripped one has the same code, only without .symtab and DWARF (its data
    # differs a little: the module info records -ldflags).
    rm -f "$bin"
    if ! (cd "$tree" && GODEBUG=goindex=0 GOTOOLCHAIN=local CGO_ENABLED="$cgo" GOFLAGS=-buildvcs=false "$CRASH_GOCMD" build "${flags[@]}" -ldflags="-s -w" -o "$bin" "./$n"); then
      CRASH_LAST="go build -ldflags='-s -w' of $n failed"
      return 1
    fi
  fi
}

crash_is_elf_core() { # ELF magic and e_type == ET_CORE (4)
  [[ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" == 7f454c46 ]] &&
    [[ "$(od -An -tu2 -j16 -N2 "$1" | tr -d ' \n')" == 4 ]]
}

# crash_reproduce NAME BIN GOMAXPROCS RUNPREFIX ATTEMPTS [KIND]: runs BIN in a fresh
# directory RUNPREFIX-<attempt> with GOTRACEBACK=crash, the given GOMAXPROCS,
# `ulimit -c unlimited` and a 60 s kill timeout, until stderr matches the truth
# (first line, panicking goroutine, victim frame, panic site) and the kernel
# left an ELF core. Directories of failed attempts are removed, except the
# last one's when every attempt failed. On success: CRASH_RUN (the run
# directory, with stdout.txt and stderr.txt), CRASH_CORE, CRASH_SITE (the
# observed panic site) and CRASH_ATTEMPTS.
crash_reproduce() {
  local n="$1" bin="$2" procs="$3" prefix="$4" attempts="$5" kind="${6:-static}"
  local attempt=0 run rc f runner
  runner="$(crash_kind_runner "$kind")"
  CRASH_RUN=""; CRASH_CORE=""; CRASH_SITE=""; CRASH_ATTEMPTS=0; CRASH_LAST=""
  while [[ $attempt -lt $attempts ]]; do
    attempt=$((attempt + 1))
    run="$prefix-$attempt"
    rm -rf "$run"
    mkdir -p "$run"
    rc=0
    # (the braces keep bash's "Aborted (core dumped)" job message off the terminal)
    # timeout's own messages ("the monitored command dumped core") must not reach stderr.txt
    # (a -race binary reports races to race.<pid>, not to stderr, which stays the runtime's traceback)
    { (cd "$run" && ulimit -c unlimited && exec env -u GODEBUG GOTRACEBACK=crash GOMAXPROCS="$procs" GORACE="log_path=race" \
      timeout -s KILL 60 sh -c 'exec $2 "$1" >stdout.txt 2>stderr.txt' sh "$bin" "$runner"); } 2>/dev/null || rc=$?
    CRASH_CORE=""
    if [[ -n "$runner" ]]; then
      # qemu's own core (the host's view of the emulator) is not the program's: drop it
      for f in "$run"/*; do
        case "$(basename "$f")" in qemu_*.core) ;; stdout.txt|stderr.txt) ;; *) crash_is_elf_core "$f" && rm -f "$f" ;; esac
      done
    fi
    for f in "$run"/*; do
      case "$(basename "$f")" in stdout.txt|stderr.txt|race.*) continue ;; esac
      if crash_is_elf_core "$f"; then CRASH_CORE="$f"; fi
    done
    if [[ -z "$CRASH_CORE" ]]; then
      CRASH_LAST="exit status $rc and no core file (core_pattern=$CRASH_CORE_PATTERN, ulimit -c $(ulimit -c))"
    elif CRASH_SITE="$(FIXTURE_MODULE="$(crash_kind_module "$kind")" "$CRASH_CHECK" run -fixtures "$CRASH_FIXTURES" -name "$n" -stderr "$run/stderr.txt" -chan-go "$CRASH_CHANGO")"; then
      CRASH_RUN="$run"
      CRASH_ATTEMPTS=$attempt
      return 0
    else
      CRASH_LAST="$CRASH_SITE"
      CRASH_SITE=""
    fi
    crash_log "   $n (GOMAXPROCS=$procs) attempt $attempt: $CRASH_LAST"
    if [[ $attempt -lt $attempts ]]; then rm -rf "$run"; fi
  done
  CRASH_RUN="$run"
  CRASH_CORE=""
  CRASH_ATTEMPTS=$attempt
  return 1
}

# crash_check_channel NAME BIN CORE STDERR: the channel in the core must be the
# truth's (element type and capacity), read with gdb and lib-chancheck.py from
# the panicking goroutine's chansend/closechan argument or selectgo's first
# scase. CRASH_CHAN_CHECKED is "elem/cap", or "-" when there is nothing to
# check (no gdb, no channel in the truth, an argument the runtime printed as
# uncertain).
crash_check_channel() {
  local n="$1" bin="$2" core="$3" stderr="$4" kind="${5:-static}"
  local caddr="" ckind="" ccap="" celem="" scase="" got gdb
  CRASH_CHAN_CHECKED="-"
  gdb="$(crash_kind_gdb "$kind")"
  [[ -n "$gdb" ]] || return 0
  read -r caddr ckind ccap celem < <("$CRASH_CHECK" chanarg -fixtures "$CRASH_FIXTURES" -name "$n" -stderr "$stderr") || true
  [[ -n "$caddr" ]] || return 0
  if [[ "$ckind" == scase ]]; then scase=1; fi
  # A stripped build (kind stripped) has no types for gdb, and its unstripped twin
  # is no stand-in: the build settings in its module info (-ldflags) differ, which
  # moves rodata. Its channel is checked by chanscope against the truth
  # (scripts/accuracy, RuntimeOracleTest).
  if ! readelf -S "$bin" 2>/dev/null | grep -q 'debug_info'; then return 0; fi
  got="$(CHAN="$caddr" SCASE="$scase" "$gdb" -nx -batch -iex 'set auto-load off' -iex 'set debuginfod enabled off' \
    "$bin" "$core" -ex "source $CRASH_SCRIPTS/lib-chancheck.py" 2>&1 | grep '^chancheck ' || true)"
  if [[ "$got" != "chancheck elem=$celem cap=$ccap "* ]]; then
    CRASH_LAST="the channel in the core is '${got:-unreadable}', truth.json says elem=$celem cap=$ccap"
    return 1
  fi
  CRASH_CHAN_CHECKED="$celem/$ccap"
}
