# Helpers shared by the scripts; sourced, not run.

# Builds go outside the clone so fresh clones (CI) reuse earlier builds.
use_shared_target_dir() {
    if [[ -z "${CARGO_TARGET_DIR:-}" ]]; then
        local dir=/var/cache/salle/target
        if mkdir -p "$dir" 2>/dev/null && [[ -w "$dir" ]]; then
            export CARGO_TARGET_DIR="$dir"
        fi
    fi
}

pg_answers() {
    psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

# Makes DATABASE_URL point at a PostgreSQL that answers, starting one if needed.
ensure_postgres() {
    export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    if ! command -v psql >/dev/null; then
        install_debian_packages postgresql postgresql-client
    fi
    pg_answers "$DATABASE_URL" && return 0

    # The machine's own cluster, if it is only stopped.
    if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
        local version
        version=$(ls /etc/postgresql | sort -V | tail -n1)
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
        for _ in $(seq 1 20); do
            pg_answers "$DATABASE_URL" && return 0
            sleep 0.5
        done
    fi

    # A private server: trust auth on 127.0.0.1:55432, data under /var/cache/salle.
    local bin datadir port=55432
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    if [[ -z "$bin" ]]; then
        echo "salle: no PostgreSQL answers at $DATABASE_URL and none is installed." >&2
        echo "       Install it (apt-get install postgresql) or set DATABASE_URL." >&2
        exit 1
    fi
    datadir=/var/cache/salle/pg
    local as=()
    if [[ $(id -u) -eq 0 ]]; then as=(runuser -u postgres --); fi
    if [[ ! -f "$datadir/PG_VERSION" ]]; then
        mkdir -p "$datadir"
        [[ $(id -u) -eq 0 ]] && chown postgres: "$datadir"
        "${as[@]}" "$bin/initdb" -D "$datadir" -U postgres --auth=trust >/dev/null
    fi
    "${as[@]}" "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null || true
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    if ! pg_answers "$DATABASE_URL"; then
        echo "salle: could not start a private PostgreSQL (see $datadir/server.log)." >&2
        exit 1
    fi
}

APT_UPDATED=""
install_debian_packages() {
    if [[ $(id -u) -ne 0 ]]; then
        echo "salle: please install $* (as root: apt-get install $*)" >&2
        exit 1
    fi
    if [[ -z "$APT_UPDATED" ]]; then
        apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Python tools the tests check outputs with (tests/tools/requirements.txt:
# Stripe's library, OpenAPI and JSON Schema validators, aiosmtpd, icalendar), pinned, in a virtual
# environment under the shared cache, made again whenever that file changes,
# so nothing touches the system's Python.
ensure_python_tools() {
    local venv="${SALLE_CACHE_DIR:-/var/cache/salle}/venv"
    mkdir -p "$(dirname "$venv")" 2>/dev/null && [[ -w "$(dirname "$venv")" ]] || venv=.venv
    local wanted
    wanted="$(sha256sum tests/tools/requirements.txt | cut -d' ' -f1)"
    if [[ "$(cat "$venv/.requirements" 2>/dev/null)" != "$wanted" ]]; then
        echo "salle: installing the Python test tools (tests/tools/requirements.txt) in $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r tests/tools/requirements.txt
        echo "$wanted" > "$venv/.requirements"
    fi
    export PATH="$venv/bin:$PATH"
    # The mail tests' SMTP server makes its test certificates with openssl.
    command -v openssl >/dev/null || install_debian_packages openssl
}

# cargo-fuzz (crates.io, pinned) for scripts/fuzz; libFuzzer itself is built
# by the fuzz crate's libfuzzer-sys with the machine's C++ compiler.
ensure_fuzz_tools() {
    local wanted="cargo-fuzz 0.13.1"
    if [[ "$(cargo fuzz --version 2>/dev/null)" != "$wanted" ]]; then
        echo "salle: installing $wanted for the fuzz targets" >&2
        cargo install cargo-fuzz --version 0.13.1 --locked --quiet
    fi
    if ! command -v g++ >/dev/null 2>&1; then
        install_debian_packages g++
    fi
}

# hledger (Debian package): the finance tests check the exported journals with it.
ensure_ledger_tools() {
    if ! command -v hledger >/dev/null 2>&1; then
        echo "salle: installing hledger (Debian package) for the ledger export tests" >&2
        install_debian_packages hledger
    fi
}

# Debian's Chromium for the browser tests, and the Node packages that drive
# it (playwright-core) and check each page (axe-core), pinned in
# tests/browser/package-lock.json.
ensure_browser_tools() {
    if ! command -v chromium >/dev/null 2>&1; then
        echo "salle: installing Chromium (Debian package) for the browser tests" >&2
        install_debian_packages chromium
    fi
    if ! command -v node >/dev/null 2>&1; then
        install_debian_packages nodejs npm
    fi
    if [[ ! -d tests/browser/node_modules/playwright-core || ! -d tests/browser/node_modules/axe-core ]]; then
        (cd tests/browser && npm ci --no-audit --no-fund --silent)
    fi
}

# kubectl (its built-in kustomize renders the overlays). Debian's own
# kubernetes-client is too old for today's kustomization files, so it must
# come with the machine (Google Cloud SDK's package here) or the Kubernetes
# project's apt repository.
ensure_deploy_tools() {
    if ! command -v kubectl >/dev/null 2>&1 || ! kubectl kustomize --help >/dev/null 2>&1; then
        echo "salle: kubectl (v1.27 or later) is needed to render k8s/ overlays:" >&2
        echo "       https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/" >&2
        exit 1
    fi
}
