#!/usr/bin/env bash
# System packages the tests need, installed once before `npm test`: Dovecot for the mailbox
# tests (test/support/dovecot.ts would otherwise install it itself, in the middle of a run).
# Debian/Ubuntu, as root. Nothing to do when it is there already.
set -euo pipefail

# systemd: systemd-analyze checks the rendered service unit (test/service/systemdVerify.test.ts).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "systemd-analyze is missing and this is not root: sudo apt-get install -y systemd" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q systemd
fi

if [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1; then
  echo "dovecot: $( (/usr/sbin/dovecot --version || dovecot --version) 2>/dev/null | head -1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "dovecot-imapd is missing and this is not root: sudo apt-get install -y dovecot-imapd" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q dovecot-imapd
echo "dovecot: $(/usr/sbin/dovecot --version | head -1)"
