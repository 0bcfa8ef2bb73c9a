#!/usr/bin/env bash
# Expand the Action's `files:` input into paths, one per line, in the order given.
#
# Usage: expand-files.sh "<files input>"
#
# The input is split on whitespace and newlines. Each word is a path, a directory or a glob: `*`, `?`
# and `[...]` as in bash, and `**` for any number of directories (globstar), so `sbom/**/*.cdx.json`
# finds SBOMs at any depth, sbom/ itself included. A glob that matches nothing is kept as it is, so
# complycheck reports it as a missing input (exit 2) instead of the gate silently checking less.
# Hidden files are matched too (dotglob): Bitnami images ship .spdx-<app>.spdx.
set -euo pipefail
shopt -s globstar dotglob
shopt -u nullglob failglob
words=()
set -f  # split the input into words without expanding anything yet
read -r -d '' -a words <<< "${1-}" || true
set +f
for word in ${words[@]+"${words[@]}"}; do
  # shellcheck disable=SC2206 # unquoted on purpose: pathname expansion of this one word
  matches=($word)
  printf '%s\n' "${matches[@]}"
done
