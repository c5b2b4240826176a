#!/usr/bin/env bash
# Pins the Dockerfile's base image to the digest its tag points at now:
#   ARG NODE_IMAGE=node:24.21.0-bookworm-slim   becomes   ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:…
# A tag can be moved to other bytes (a rebuilt Debian layer); a digest cannot, so the image builds from what was
# reviewed. To move to a newer Node.js, edit the tag in the Dockerfile and run this again; an existing digest is
# replaced. Needs crane (go-containerregistry) or docker buildx, and access to the registry.
set -euo pipefail
cd "$(dirname "$0")/.."

current=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
if [ -z "$current" ]; then
  echo "Dockerfile has no 'ARG NODE_IMAGE=' line" >&2
  exit 2
fi
tag=${current%%@*}

if command -v crane >/dev/null 2>&1; then
  digest=$(crane digest "$tag")
elif docker buildx version >/dev/null 2>&1; then
  # The digest of the multi-platform index, so that each platform (amd64, arm64) still gets its own image.
  digest=$(docker buildx imagetools inspect "$tag" | awk '$1 == "Digest:" { print $2; exit }')
else
  echo "needs crane or docker buildx to look up the digest of $tag" >&2
  exit 2
fi
if [[ ! $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "no digest found for $tag (got '${digest}')" >&2
  exit 1
fi

sed -i.bak "s|^ARG NODE_IMAGE=.*|ARG NODE_IMAGE=${tag}@${digest}|" Dockerfile && rm Dockerfile.bak
echo "Dockerfile: NODE_IMAGE=${tag}@${digest}"
