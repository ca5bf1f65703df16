#!/usr/bin/env bash
# System packages the tests need, installed once before `npm test`: Dovecot for the mailbox
# tests (test/support/dovecot.ts would otherwise install it itself, in the middle of a run).
# Debian/Ubuntu, as root. Nothing to do when it is there already.
set -euo pipefail

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
