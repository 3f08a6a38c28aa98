#!/usr/bin/env bash
# Makes a local PostgreSQL with pgvector ready for safetynet: installs the
# server, builds pgvector from Debian's source package (bookworm ships no
# binary one), starts the cluster, creates the database and the extension.
# Idempotent, and quick when everything is already there. Honours
# DATABASE_URL: when it is set, only the database and extension are made.
set -euo pipefail

DEFAULT_URL="postgres://postgres@127.0.0.1:5432/safetynet?sslmode=disable"
URL="${DATABASE_URL:-$DEFAULT_URL}"
PGV_VERSION_WANTED="0.8"

say() { printf 'setup-db: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# What the URL names is asked of a small Go helper that parses it as pgx and
# libpq do: a socket-style URL (postgres://postgres@/NAME?host=/run/...) has
# slashes in its query, which pattern matching took for the database name.
helper_dir=$(mktemp -d)
trap 'rm -rf "$helper_dir"' EXIT
(cd "$(dirname "$0")/.." && go build -o "$helper_dir/dburl" ./scripts/dburl) \
  || { say "cannot build scripts/dburl (is Go installed?)"; exit 1; }
dburl() { "$helper_dir/dburl" "$@"; }
dburl database "$URL" >/dev/null || exit 2
ADMIN_URL=$(dburl admin "$URL")
admin_url() { printf '%s' "$ADMIN_URL"; }
db_name() { dburl database "$URL"; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

can_connect() { psql "$(admin_url)" -Atqc 'select 1' >/dev/null 2>&1; }

local_server() {
  # A DATABASE_URL naming another host is someone else's server: we do not
  # install anything for it.
  [ -z "${DATABASE_URL:-}" ] && return 0
  dburl local "$URL"
}

if local_server; then
  if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    say "installing PostgreSQL"
    apt_install postgresql postgresql-client
  fi
  major=$(ls /etc/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    say "starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start 2>/dev/null \
      || as_root pg_ctlcluster "$major" main start
  fi
  if ! can_connect; then
    # Stock Debian asks for a password on TCP; a developer machine's own
    # database gets trust for the postgres user on loopback only.
    hba="/etc/postgresql/$major/main/pg_hba.conf"
    if ! as_root grep -q 'safetynet-dev' "$hba"; then
      say "allowing postgres on 127.0.0.1 without password in $hba (local development)"
      as_root sed -i '1i host all postgres 127.0.0.1/32 trust # safetynet-dev\nhost all postgres ::1/128 trust # safetynet-dev' "$hba"
      as_root pg_ctlcluster --skip-systemctl-redirect "$major" main reload 2>/dev/null \
        || as_root pg_ctlcluster "$major" main reload
    fi
  fi
  has_vector=$(psql "$(admin_url)" -Atqc "select count(*) from pg_available_extensions where name='vector' and default_version >= '$PGV_VERSION_WANTED'" 2>/dev/null || echo 0)
  if [ "$has_vector" != "1" ]; then
    say "building pgvector from Debian's source package for PostgreSQL $major"
    apt_install "postgresql-server-dev-$major" build-essential dpkg-dev
    src=/etc/apt/sources.list.d/safetynet-trixie-src.sources
    if [ ! -f "$src" ]; then
      as_root tee "$src" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      as_root apt-get update -qq
    fi
    work=$(mktemp -d)
    trap 'rm -rf "$work" "$helper_dir"' EXIT
    (cd "$work" && apt-get source -qq pgvector >/dev/null 2>&1)
    dir=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -1)
    [ -n "$dir" ] || { say "could not fetch pgvector's source package"; exit 1; }
    make -s -C "$dir" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null
    as_root make -s -C "$dir" install PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null
  fi
fi

if ! can_connect; then
  # Not the URL itself: it may hold a password.
  say "cannot connect to the server of DATABASE_URL (database postgres of the server holding $(db_name))"
  exit 1
fi
name=$(db_name)
# The name goes in as a psql variable, quoted by psql itself (:'v', :"v").
if [ "$(psql "$(admin_url)" -Atq -v name="$name" <<<"select count(*) from pg_database where datname = :'name'")" != "1" ]; then
  say "creating database $name"
  psql "$(admin_url)" -q -v name="$name" <<<'create database :"name"' >/dev/null
fi
PGOPTIONS='-c client_min_messages=warning' psql "$URL" -qc 'create extension if not exists vector' >/dev/null
say "ready: $(psql "$URL" -Atqc "select 'PostgreSQL ' || current_setting('server_version') || ', pgvector ' || extversion from pg_extension where extname='vector'")"
