#!/usr/bin/env bash
# Builds what outside developers build, against the SDK installed in the local Maven repository (run
# `mvn -B install` of the reactor first; .ci/run does): (1) a project generated from the archetype, in
# target/archetype-smoke/, and (2) every example under examples/ (ims, ntb), each with `mvn -B verify`, which
# runs its conformance kit. Prints each provider's conformance table; exits 1 naming the projects that failed.
#
# Maven options for every nested build: the arguments of this script, then $MSI_MAVEN_ARGS
# (e.g. MSI_MAVEN_ARGS=-Dmaven.repo.local=/path/to/repo); $MAVEN_OPTS reaches every mvn as usual.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
read -r -a extra <<< "${MSI_MAVEN_ARGS:-}"
mvn_args=(-B -Dstyle.color=never "$@" "${extra[@]}")
archetype_plugin=org.apache.maven.plugins:maven-archetype-plugin:3.3.1
started=$SECONDS
passed=()
failed=()

# A header line; on a line of its own, since Maven 3.8 ends its output with colour resets and no newline.
say() {
  printf '\n%s\n' "$*"
}

# Prints every conformance table under a project; fails if it has none (its kit did not run).
tables() {
  local name="$1" dir="$2" found=0 table
  while IFS= read -r table; do
    found=1
    say "== conformance table of $name: ${table#"$root"/}"
    cat "$table"
  done < <(cd "$dir" && find . -path '*/target/conformance.txt' -not -path '*/target/*/target/*' | sort \
      | sed "s|^\\.|$dir|")
  if [ "$found" = 0 ]; then
    echo >&2
    echo "examples/build.sh: $name wrote no target/conformance.txt (its conformance kit did not run)" >&2
    return 1
  fi
}

# Runs `mvn verify` in a project and records the outcome.
verify() {
  local name="$1" dir="$2"
  say "== $name: mvn verify in ${dir#"$root"/}"
  local built=0
  # a table left by an earlier build must not stand in for this one's
  (cd "$dir" && find . -path '*/target/conformance.txt' -not -path '*/target/*/target/*' -delete)
  (cd "$dir" && mvn "${mvn_args[@]}" verify) || built=$?
  # the tables also when the build failed: a FAIL row says why
  if tables "$name" "$dir" && [ "$built" = 0 ]; then
    passed+=("$name")
  else
    failed+=("$name")
  fi
}

# (1) a fresh project from the installed archetype, with its defaults (kind slotdev, storage type slot)
smoke="$root/target/archetype-smoke"
rm -rf "$smoke" && mkdir -p "$smoke"
say "== archetype-smoke: archetype:generate into ${smoke#"$root"/}"
if (cd "$smoke" && mvn "${mvn_args[@]}" "$archetype_plugin:generate" -DinteractiveMode=false \
    -DarchetypeGroupId=org.msidomain -DarchetypeArtifactId=msi-provider-archetype -DarchetypeVersion=1.1.0 \
    -DgroupId=org.msidomain.smoke -DartifactId=smoke -Dversion=1.0.0-SNAPSHOT -Dpackage=org.msidomain.smoke); then
  verify archetype-smoke "$smoke/smoke"
else
  failed+=(archetype-smoke)
fi

# (2) the examples, each a Maven project of its own
for example in ims ntb; do
  dir="$root/examples/$example"
  if [ -f "$dir/pom.xml" ]; then
    verify "examples/$example" "$dir"
  else
    say "== examples/$example: not present (no examples/$example/pom.xml), skipped"
  fi
done

elapsed=$((SECONDS - started))
if [ "${#failed[@]}" -gt 0 ]; then
  echo >&2
  echo "examples/build.sh: FAILED: ${failed[*]} (passed: ${passed[*]:-none}; ${elapsed} s)" >&2
  exit 1
fi
echo
echo "examples/build.sh: passed: ${passed[*]} (${elapsed} s)"
