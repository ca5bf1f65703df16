#!/usr/bin/env bash
# The system programs the tests need, checked (and installed when missing) once before AVA
# starts: `npm test` runs this as its `pretest` script. Tests never install anything
# themselves: two test files running apt-get at once fought over the dpkg lock.
#
#   dovecot, doveadm  the mailbox tests run a real IMAP server  (Debian: dovecot-imapd)
#   openssl           self-signed certificates for IMAP over TLS (Debian: openssl)
#   chromium          the console's browser tests                (Debian: chromium)
#   systemd-analyze   checks the rendered service unit           (Debian: systemd)
#
# When everything is there this only looks (no root needed, well under a second). When
# something is missing it is installed with apt-get as root; otherwise it says what is missing
# and how to install it, and fails, so `npm test` stops before any test runs.
# PostgreSQL is not needed: the tests use 127.0.0.1:5432 when a server listens there, else an
# embedded one (see test/support/database.ts).
set -euo pipefail

PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin"

# program -> Debian package
declare -A PACKAGE=([dovecot]=dovecot-imapd [doveadm]=dovecot-core [openssl]=openssl [chromium]=chromium [systemd-analyze]=systemd)

missing_programs() {
  for program in dovecot doveadm openssl chromium systemd-analyze; do
    command -v "$program" >/dev/null 2>&1 || echo "$program"
  done
}

missing=$(missing_programs)
if [ -z "$missing" ]; then
  echo "test dependencies: dovecot, doveadm, openssl, chromium, systemd-analyze found"
  exit 0
fi

packages=$(for program in $missing; do echo "${PACKAGE[$program]}"; done | sort -u | tr '\n' ' ')
echo "test dependencies missing: $(echo $missing | tr '\n' ' ')(Debian packages: ${packages% })" >&2

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Install them (as root), then run the tests again:" >&2
  echo "  apt-get install -y ${packages% }" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg (an unattended upgrade) instead of failing on its lock.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -q "$@"; }
apt_get update
# shellcheck disable=SC2086 # one word per package
apt_get install -y --no-install-recommends $packages

still=$(missing_programs)
if [ -n "$still" ]; then
  echo "still missing after apt-get install: $(echo $still | tr '\n' ' ')" >&2
  exit 1
fi
echo "test dependencies installed: ${packages% }"
