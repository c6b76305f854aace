#!/bin/sh
# The README's walkthrough: the launcher runs a -c script on examples/ims/machine.json with a deploy folder,
# while this script (standing in for a person at a second terminal) drops the jars into the folder and later
# takes the provider out and puts it back. Run from the repository root after `mvn -B install` there and
# `mvn -B verify` in examples/ims.
set -e
E=examples/ims
DEPLOY=${1:-$(mktemp -d)}
mkdir -p "$DEPLOY"
PROVIDER=$E/provider/target/ims-provider-1.0.0-SNAPSHOT.jar
DEVICE=$E/device/target/ims-device-1.0.0-SNAPSHOT.jar
(
  sleep 8;  cp "$PROVIDER" "$DEPLOY/"                        # the provider first: it has no device to serve
  sleep 6;  cp "$DEVICE" "$DEPLOY/"                          # the kind: dsa0 and dsa1 are created
  sleep 16; rm "$DEPLOY/$(basename "$PROVIDER")"             # the provider taken out ...
  sleep 6;  cp "$PROVIDER" "$DEPLOY/"                        # ... and put back
) &
java -jar launcher/target/msi-launcher.jar --machine $E/machine.json --deploy "$DEPLOY" -c "\
msi:devices; \
msi:await provider org.example.ims.provider bound 60s; msi:devices; \
msi:await device dsa0 BOUND 60s; msi:devices; msi:why dsa1; \
msi:alloc dsa0 2; msi:alloc dsa0 2 idxd-ims; \
msi:fire dsa0 1 3; msi:fire --storage idxd-ims dsa0 1 2; \
msi:mask dsa0/idxd-ims/0; msi:fire --storage idxd-ims dsa0 0 4; msi:unmask dsa0/idxd-ims/0; \
msi:interrupts; \
msi:await provider org.example.ims.provider unbound 60s; msi:why dsa0; \
msi:fire --storage idxd-ims dsa0 1 5; \
msi:await device dsa0 BOUND 60s; msi:why dsa0; \
msi:fire --storage idxd-ims dsa0 1 5; msi:interrupts"
wait
