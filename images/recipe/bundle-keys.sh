#!/usr/bin/env bash
# bundle-keys.sh DIR: the keys that sign gridkiosk's system updates, made
# with openssl into DIR (make bundle-keys: keys/, outside git):
#
#   ca.cert.pem       the county's update CA: goes into every image as
#                     RAUC's keyring (/etc/rauc/keyring.pem); a station
#                     installs only bundles signed under it
#   ca.key.pem        its key: keep it offline; it signs new signing
#                     certificates (e.g. when one is lost or expires)
#   signing.cert.pem  the certificate make bundle signs with
#   signing.key.pem   its key, on the machine that builds bundles
#
# EC P-256 keys; the CA is valid 20 years, the signing certificate 10
# (a station checks the signature's certificate against its keyring at
# install time, so an expired signing certificate stops updates until a
# new one is made under the same CA). Existing keys are never overwritten.
# Environment: BUNDLE_KEYS_ORG (the certificates' organisation).
set -euo pipefail

dir=${1:?usage: bundle-keys.sh DIR}
org=${BUNDLE_KEYS_ORG:-gridkiosk}
die() { echo "bundle-keys.sh: $*" >&2; exit 1; }
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
for f in ca.cert.pem ca.key.pem signing.cert.pem signing.key.pem; do
	[ ! -e "$dir/$f" ] || die "$dir/$f exists: keys are never overwritten (move $dir away to make new ones)"
done
mkdir -p "$dir"
chmod 0700 "$dir"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key.pem"
openssl req -x509 -new -key "$dir/ca.key.pem" -sha256 -days 7305 -subj "/O=$org/CN=$org update CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-addext "subjectKeyIdentifier=hash" -out "$dir/ca.cert.pem"

openssl ecparam -name prime256v1 -genkey -noout -out "$dir/signing.key.pem"
openssl req -new -key "$dir/signing.key.pem" -subj "/O=$org/CN=$org update signing" -out "$tmp/signing.csr"
cat >"$tmp/ext" <<-EOF2
	basicConstraints=critical,CA:FALSE
	keyUsage=critical,digitalSignature
	subjectKeyIdentifier=hash
	authorityKeyIdentifier=keyid
EOF2
openssl x509 -req -in "$tmp/signing.csr" -CA "$dir/ca.cert.pem" -CAkey "$dir/ca.key.pem" -CAcreateserial \
	-CAserial "$tmp/ca.srl" -days 3652 -sha256 -extfile "$tmp/ext" -out "$dir/signing.cert.pem" 2>/dev/null
chmod 0644 "$dir/ca.cert.pem" "$dir/signing.cert.pem"
openssl verify -CAfile "$dir/ca.cert.pem" "$dir/signing.cert.pem" >/dev/null || die "the new signing certificate does not verify"
echo "bundle-keys.sh: keys in $dir: ca.cert.pem goes into images, signing.{cert,key}.pem sign bundles, ca.key.pem belongs offline"
