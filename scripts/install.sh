#!/usr/bin/env bash
# Installs sonoedge as a systemd service: the service user and groups, its folders, the records database key and
# device secret as encrypted systemd credentials (TPM2 where the board has one, else the host key), and the unit.
#
#   sudo scripts/install.sh [--prefix /opt/sonoedge] [--no-start]
#   scripts/install.sh --root DIR      # lay the files out under DIR (packaging, tests): no user, no systemctl
#
# The application itself (dist/, models/, web-ui/dist, node_modules) is expected under --prefix already.
# Re-running is safe: existing credentials, config and data are kept. A database key that an earlier version kept
# in a plaintext file (/var/lib/sonoedge/keys/records.key) becomes the credential, so the database still opens; the
# plaintext file is removed once the credential decrypts to the same key.
set -euo pipefail

PREFIX=/opt/sonoedge
ROOT=
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --root) ROOT=$(realpath -m "$2"); shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")/.." && pwd)
UNIT_SRC="$HERE/systemd/sonoedge.service"
say() { echo "install.sh: $*"; }
die() { echo "install.sh: $*" >&2; exit 1; }

[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || die "Run as root (sudo), or give --root DIR to lay the files out elsewhere"
command -v systemd-creds >/dev/null || die "systemd-creds is missing: systemd 250 or newer is needed for encrypted credentials (see the fallback comment in the unit)"
SYSTEMD_VERSION=$(systemctl --version 2>/dev/null | awk 'NR==1 {print $2}')
[ "${SYSTEMD_VERSION:-0}" -ge 250 ] || die "systemd ${SYSTEMD_VERSION:-unknown} is older than 250 (no LoadCredentialEncrypted=); use the LoadCredential= fallback in the unit"

# --- user and groups --------------------------------------------------------------------------------------------
# The unit names video, dialout and plugdev as supplementary groups; systemd refuses to start if one is missing.
if [ -z "$ROOT" ]; then
  for g in video dialout plugdev; do
    getent group "$g" >/dev/null || { groupadd --system "$g"; say "created group $g"; }
  done
  if ! getent passwd sonoedge >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/sonoedge --no-create-home --shell /usr/sbin/nologin \
      --groups video,dialout,plugdev sonoedge
    say "created system user sonoedge"
  fi
  OWNER=sonoedge
else
  say "--root: no user created; folders belong to $(id -un)"
  OWNER=$(id -un)
fi

# --- folders ------------------------------------------------------------------------------------------------------
install -d -m 0750 "$ROOT/etc/sonoedge"
install -d -m 0700 "$ROOT/etc/credstore.encrypted"
# systemd creates these too (StateDirectory=, CacheDirectory=); made here so a manual first run finds them.
install -d -m 0700 -o "$OWNER" "$ROOT/var/lib/sonoedge" "$ROOT/var/cache/sonoedge"
[ -z "$ROOT" ] && chgrp sonoedge "$ROOT/etc/sonoedge"
if [ ! -e "$ROOT/etc/sonoedge/config.yaml" ]; then
  printf '%s\n' '# sonoedge configuration; every key has a default (README "Configuration").' '{}' > "$ROOT/etc/sonoedge/config.yaml"
  chmod 0640 "$ROOT/etc/sonoedge/config.yaml"
  say "wrote a default $ROOT/etc/sonoedge/config.yaml"
fi

# --- credentials ---------------------------------------------------------------------------------------------------
# name, then the plaintext file an earlier version kept the same value in
make_credential() {
  local name=$1 legacy=$2 out="$ROOT/etc/credstore.encrypted/$1" key
  if [ -e "$out" ]; then say "credential $name exists, kept"; return; fi
  if [ -f "$legacy" ]; then
    key=$(tr -d ' \n' < "$legacy")
    say "credential $name: taken from $legacy so the existing database still opens"
  else
    key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  fi
  [[ "$key" =~ ^[0-9a-f]{64}$ ]] || die "$legacy does not hold a 64-hex-digit key; fix or remove it"
  # auto = TPM2 plus the host key where a TPM2 is present, the host key alone elsewhere. The key goes through
  # stdin, never argv (visible in ps).
  printf '%s' "$key" | systemd-creds encrypt --name="$name" --with-key=auto - "$out"
  chmod 0600 "$out"
  [ "$(systemd-creds decrypt --name="$name" "$out" -)" = "$key" ] || die "credential $out does not decrypt to the key just written"
  if [ -f "$legacy" ]; then rm -f "$legacy"; say "removed the plaintext $legacy (the credential holds it now)"; fi
  say "credential $name written to $out ($(systemd-creds has-tpm2 >/dev/null 2>&1 && echo 'TPM2 + host key' || echo 'host key; no TPM2 here'))"
}
make_credential sonoedge-db-key "$ROOT/var/lib/sonoedge/keys/records.key"
make_credential sonoedge-device-secret "$ROOT/var/lib/sonoedge/keys/device.secret"

# --- unit ---------------------------------------------------------------------------------------------------------
install -d -m 0755 "$ROOT/etc/systemd/system"
sed "s#/opt/sonoedge#$PREFIX#g" "$UNIT_SRC" > "$ROOT/etc/systemd/system/sonoedge.service"
chmod 0644 "$ROOT/etc/systemd/system/sonoedge.service"
systemd-analyze verify "$ROOT/etc/systemd/system/sonoedge.service" || die "the installed unit does not verify"
say "unit installed: $ROOT/etc/systemd/system/sonoedge.service ($(systemd-analyze security --offline=yes "$ROOT/etc/systemd/system/sonoedge.service" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: //p'))"

if [ -z "$ROOT" ]; then
  systemctl daemon-reload
  if [ "$START" = 1 ]; then
    systemctl enable --now sonoedge
    say "started; follow it with: journalctl -u sonoedge -f   (systemctl status sonoedge shows its STATUS= line)"
  else
    systemctl enable sonoedge
    say "enabled, not started (--no-start)"
  fi
fi
