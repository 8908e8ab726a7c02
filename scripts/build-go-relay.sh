#!/usr/bin/env bash
# Builds prometheus-webhook-dingtalk v2.1.0 (github.com/timonwong/prometheus-webhook-dingtalk at
# commit 589d858c, the Go relay people run today) from source, for the delivery benchmark's
# comparison (bench/throughput.bench.ts). A benchmark aid: neither CI nor the tests run it.
#
# No Go module proxy is needed: it builds in GOPATH mode (GO111MODULE=off) against Debian's
# golang-*-dev packages (installed here with apt-get when missing, as root), as the release does
# (`-tags netgo,builtinassets`, CGO off). Deviations from the upstream build, all forced by what is
# not here:
#   - dependencies are Debian's, not go.sum's: sprig 3.2.3 (go.mod 3.2.2), prometheus/common 0.39.0
#     (0.34.0), go-kit/log 0.2.1 (0.2.0), go.uber.org/atomic 1.10.0 (1.9.0); chi 5.0.7, kingpin
#     2.2.6, yaml.v2 2.4.0 and httpfs 8d4bc4b as go.mod names them. BUILD-INFO.txt lists them.
#   - the React web UI is not built (it needs its own npm build; the UI is off unless
#     --web.enable-ui): web/ui/static/react/index.html is a one-line placeholder, so that
#     `builtinassets` can embed web/ui/static. No Go file of the tool is changed.
#   - no -a flag, and version variables set by hand (promu is not used).
#
# The source: the tool's tree is exported into the GOPATH from, in this order, an existing export
# there (kept when at the right commit), GO_RELAY_SRC (a checkout of the repository at that
# commit), GO_RELAY_GIT (a git directory holding that commit, e.g. a bare clone or mirror), or a
# `git clone` of the repository (which needs GitHub to be reachable).
#
# Usage: bash scripts/build-go-relay.sh      # prints the binary's path on its last line
# Env:   GO_RELAY_DIR (default /tmp/alert-relay-bench): where the GOPATH and the binary go.
#        The bench finds the binary there, or at BENCH_GO_RELAY.
set -euo pipefail

COMMIT=589d858c1f7c9409a67146d8c14e28a208bf34e7
VERSION=2.1.0
REPO=github.com/timonwong/prometheus-webhook-dingtalk
OUT=${GO_RELAY_DIR:-/tmp/alert-relay-bench}
GOPATH_DIR=$OUT/gopath
SRC=$GOPATH_DIR/src/$REPO
BIN=$OUT/prometheus-webhook-dingtalk
PACKAGES=(
  golang-go
  golang-github-go-chi-chi-dev
  golang-github-go-kit-log-dev
  golang-github-masterminds-sprig-dev
  golang-github-prometheus-common-dev
  golang-github-shurcool-httpfs-dev
  golang-go.uber-atomic-dev
  golang-gopkg-alecthomas-kingpin.v2-dev
  golang-gopkg-yaml.v2-dev
)

die() {
  echo "build-go-relay: $*" >&2
  exit 1
}

# 1. Debian's Go toolchain and the tool's dependencies.
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing Debian packages (run as root, or install them): ${missing[*]}"
  echo "build-go-relay: installing ${missing[*]}" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; then
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get could not install: ${missing[*]}"
  fi
fi
command -v go >/dev/null || die "no go command after installing golang-go"

# 2. The tool's source at $COMMIT, exported into the GOPATH.
export_from_git() { # <git dir>
  git --git-dir="$1" cat-file -e "$COMMIT^{commit}" 2>/dev/null || die "$1 does not hold commit $COMMIT"
  rm -rf "$SRC" && mkdir -p "$SRC"
  git --git-dir="$1" archive "$COMMIT" | tar -x -C "$SRC"
}
if [[ ! -f $SRC/.alert-relay-commit || $(cat "$SRC/.alert-relay-commit") != "$COMMIT" ]]; then
  if [[ -n ${GO_RELAY_SRC:-} ]]; then
    [[ -f $GO_RELAY_SRC/cmd/prometheus-webhook-dingtalk/main.go ]] || die "GO_RELAY_SRC=$GO_RELAY_SRC is not a prometheus-webhook-dingtalk checkout"
    if git -C "$GO_RELAY_SRC" rev-parse --git-dir >/dev/null 2>&1; then
      export_from_git "$(git -C "$GO_RELAY_SRC" rev-parse --absolute-git-dir)"
    else
      echo "build-go-relay: GO_RELAY_SRC is not a git checkout; taking it as commit $COMMIT" >&2
      rm -rf "$SRC" && mkdir -p "$SRC" && cp -a "$GO_RELAY_SRC/." "$SRC/"
    fi
  elif [[ -n ${GO_RELAY_GIT:-} ]]; then
    export_from_git "$GO_RELAY_GIT"
  else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "build-go-relay: cloning https://$REPO" >&2
    GIT_TERMINAL_PROMPT=0 timeout 120 git clone -q --bare "https://$REPO.git" "$tmp/repo.git" >&2 ||
      die "no source: could not clone https://$REPO (no network?). Give a checkout as GO_RELAY_SRC=<dir> or a git directory holding commit $COMMIT as GO_RELAY_GIT=<dir>."
    export_from_git "$tmp/repo.git"
  fi
  echo "$COMMIT" >"$SRC/.alert-relay-commit"
fi

# 3. The one asset the React build would have made (see the deviations above).
mkdir -p "$SRC/web/ui/static/react"
[[ -f $SRC/web/ui/static/react/index.html ]] ||
  echo '<!doctype html><title>prometheus-webhook-dingtalk</title><p>Web UI not built (alert-relay benchmark build, scripts/build-go-relay.sh).</p>' >"$SRC/web/ui/static/react/index.html"

# 4. Build as .promu.yml does, in GOPATH mode against /usr/share/gocode.
V=github.com/prometheus/common/version
(
  cd "$SRC"
  GO111MODULE=off GOFLAGS= GOPATH="$GOPATH_DIR:/usr/share/gocode" CGO_ENABLED=0 go build \
    -tags netgo,builtinassets \
    -ldflags "-X $V.Version=$VERSION -X $V.Revision=$COMMIT -X $V.Branch=HEAD -X $V.BuildUser=build-go-relay.sh -X $V.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)" \
    -o "$BIN.tmp" ./cmd/prometheus-webhook-dingtalk
) >&2 || die "go build failed (see above)"
mv "$BIN.tmp" "$BIN"
# A smoke run: it loads a config and its built-in templates, listens, and runs until stopped.
smoke=$(mktemp -d)
printf 'targets:\n  smoke:\n    url: http://127.0.0.1:9/robot/send?access_token=smoke\n' >"$smoke/config.yml"
set +e
(cd "$smoke" && timeout 3 "$BIN" --web.listen-address=127.0.0.1:0 --config.file=config.yml) >"$smoke/log" 2>&1
rc=$?
set -e
grep -q 'Webhook urls' "$smoke/log" && ((rc == 124)) || { cat "$smoke/log" >&2; die "$BIN was built but does not run (exit $rc)"; }
rm -rf "$smoke"

{
  echo "prometheus-webhook-dingtalk $VERSION, $REPO at $COMMIT, built $(date -u +%FT%TZ) with $(go version)"
  echo "GOPATH mode, -tags netgo,builtinassets, CGO_ENABLED=0; React UI not built (placeholder index.html)"
  echo "Debian packages providing every non-standard package compiled in:"
  (cd "$SRC" && GO111MODULE=off GOFLAGS= GOPATH="$GOPATH_DIR:/usr/share/gocode" go list -tags netgo,builtinassets -deps \
    -f '{{if not .Standard}}{{.Dir}}{{end}}' ./cmd/prometheus-webhook-dingtalk) |
    grep '^/usr/share/gocode/' | xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
    xargs -r dpkg-query -W -f='  ${Package} ${Version}\n'
} >"$OUT/BUILD-INFO.txt"
echo "build-go-relay: built $VERSION ($COMMIT); build info in $OUT/BUILD-INFO.txt" >&2
echo "$BIN"
