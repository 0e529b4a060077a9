# Shared by the dataset scripts (sourced, not run): the repository root, the
# Fashion-MNIST source folder, and a release build of the `layerwise` CLI.
#
#   FASHION_MNIST_DIR   the IDX files (default: Debian's dataset-fashion-mnist package)
#   LAYERWISE_SCRATCH   SwiftPM scratch path for the release build (default: .build)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"

# Installs Debian packages that are missing (as root, or through sudo).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "installing ${missing[*]}" >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The IDX source; installs Debian's package when the default folder is absent.
ensure_source() {
  if [[ ! -f $src/train-images-idx3-ubyte.gz && $src == /usr/share/datasets/fashion-mnist ]]; then
    ensure_packages dataset-fashion-mnist
  fi
  [[ -f $src/train-images-idx3-ubyte.gz ]] || { echo "error: no Fashion-MNIST IDX files in $src" >&2; exit 2; }
}

# Builds the CLI in release mode (quick when up to date) and sets $lw to its path.
build_cli() {
  "$root/Scripts/bootstrap.sh"
  local scratch="${LAYERWISE_SCRATCH:-$root/.build}"
  (cd "$root" && swift build -c release --scratch-path "$scratch" --product layerwise >/dev/null)
  lw="$(cd "$root" && swift build -c release --scratch-path "$scratch" --show-bin-path)/layerwise"
}

# Checks GROUP of FILE against the IDX files $src/PREFIX-{images-idx3,labels-idx1}-ubyte.gz
# with h5dump, independently of Layerwise's own reader: every label, and every pixel byte
# by sha256. With PER_CLASS, also that GROUP/source_index lists exactly the first
# PER_CLASS rows of each class, and compares those rows.
verify_group() {
  local file=$1 group=$2 prefix=$3 per_class=${4:-} tmp
  ensure_packages hdf5-tools
  tmp="$(mktemp -d)"
  numbers() { od -An -v "-t$1" "$2" | tr -s ' \n' '\n' | sed '/^$/d'; }
  h5dump -d "$group/images" -b LE -o "$tmp/images.bin" "$file" >/dev/null
  h5dump -d "$group/labels" -b LE -o "$tmp/labels.bin" "$file" >/dev/null
  numbers d8 "$tmp/labels.bin" >"$tmp/labels.txt"
  gzip -dc "$src/$prefix-images-idx3-ubyte.gz" | tail -c +17 >"$tmp/idx-images.bin"
  gzip -dc "$src/$prefix-labels-idx1-ubyte.gz" | tail -c +9 >"$tmp/idx-labels.bin"
  numbers u1 "$tmp/idx-labels.bin" >"$tmp/idx-labels.txt"
  if [[ -n $per_class ]]; then
    h5dump -d "$group/source_index" -b LE -o "$tmp/rows.bin" "$file" >/dev/null
    numbers d8 "$tmp/rows.bin" >"$tmp/rows.txt"
    awk -v n="$per_class" '{ if (++c[$1] <= n) print NR - 1 }' "$tmp/idx-labels.txt" >"$tmp/expected-rows.txt"
    cmp -s "$tmp/rows.txt" "$tmp/expected-rows.txt" || { echo "error: $file:$group/source_index is not the first $per_class rows of each class" >&2; rm -rf "$tmp"; return 1; }
    while read -r r; do sed -n "$((r + 1))p" "$tmp/idx-labels.txt"; done <"$tmp/rows.txt" >"$tmp/expected-labels.txt"
    while read -r r; do dd if="$tmp/idx-images.bin" bs=784 skip="$r" count=1 status=none; done <"$tmp/rows.txt" >"$tmp/expected-images.bin"
    mv "$tmp/expected-labels.txt" "$tmp/idx-labels.txt"; mv "$tmp/expected-images.bin" "$tmp/idx-images.bin"
  fi
  local n a b status=0
  n=$(wc -l <"$tmp/labels.txt")
  a=$(sha256sum <"$tmp/images.bin" | cut -c1-64); b=$(sha256sum <"$tmp/idx-images.bin" | cut -c1-64)
  if ! cmp -s "$tmp/labels.txt" "$tmp/idx-labels.txt"; then
    echo "error: $file:$group/labels differ from $src/$prefix-labels-idx1-ubyte.gz" >&2; status=1
  elif [[ $a != "$b" ]]; then
    echo "error: $file:$group/images differ from $src/$prefix-images-idx3-ubyte.gz" >&2; status=1
  else
    echo "$group: $n images; pixels (sha256 ${a:0:16}…) and labels identical to the IDX source; per class: $(sort -n "$tmp/labels.txt" | uniq -c | awk '{printf "%s ", $1}')"
  fi
  rm -rf "$tmp"
  return $status
}
