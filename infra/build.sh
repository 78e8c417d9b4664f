#!/usr/bin/env bash
# Builds every Lambda binary with cargo-lambda into target/lambda/<arch>/<function>/bootstrap.zip
# and reports the architecture it built, which `make deploy` then passes to the template.
#
#   infra/build.sh [arm64|x86_64]     (make build ARCH=...)
#
# A missing Rust target is added with rustup when it can be; when it cannot (no network, no
# rustup), an arm64 build falls back to x86_64 with a warning instead of failing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Function name = binary name = crates/lambda-<name>. All four are in the template; a crate
# that does not exist yet is reported, not built.
FUNCTIONS=(list-poller sync-worker admin-api event-ended)
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

arch="${1:-}"
if [[ -z "$arch" ]]; then
    if rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
        arch=arm64
    else
        arch=x86_64
    fi
fi

triple_of() {
    case "$1" in
        arm64) echo aarch64-unknown-linux-gnu ;;
        x86_64) echo x86_64-unknown-linux-gnu ;;
        *) echo "ARCH must be arm64 or x86_64, not '$1'" >&2; exit 2 ;;
    esac
}

has_target() {
    rustup target list --installed 2>/dev/null | grep -qx "$1" && return 0
    # Without rustup (a distribution's Rust), only the host's own target exists.
    ! command -v rustup >/dev/null && [[ "$(rustc -vV | sed -n 's/^host: //p')" == "$1" ]]
}

triple="$(triple_of "$arch")"
if ! has_target "$triple"; then
    echo "build: Rust target $triple is not installed; trying rustup target add"
    if ! timeout 300 rustup target add "$triple"; then
        if [[ "$arch" == arm64 ]]; then
            echo "build: WARNING: could not add $triple; building x86_64 instead" >&2
            arch=x86_64
            triple="$(triple_of "$arch")"
        else
            echo "build: could not add $triple, and there is no other architecture to fall back to" >&2
            exit 1
        fi
    fi
fi

bins=()
missing=()
for function in "${FUNCTIONS[@]}"; do
    if [[ -f "crates/lambda-$function/Cargo.toml" ]]; then
        bins+=(--bin "$function")
    else
        missing+=("$function")
    fi
done
if [[ ${#bins[@]} -eq 0 ]]; then
    echo "build: no Lambda crate found under crates/lambda-*" >&2
    exit 1
fi

out="$TARGET_DIR/lambda/$arch"
echo "build: cargo lambda build --release for $arch ($triple) into $out"
cargo lambda build --release --target "$triple" --output-format zip --lambda-dir "$out" "${bins[@]}"
echo "$arch" > "$TARGET_DIR/lambda/ARCH"

# Report each zip with its size, and check the binary inside is for the architecture built.
python3 - "$out" "$arch" "${FUNCTIONS[@]}" <<'PY'
import sys, zipfile
from pathlib import Path

out, arch, functions = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
machine = {"arm64": 0xB7, "x86_64": 0x3E}[arch]
print(f"\n{'function':<14} {'bootstrap.zip':>14} {'bootstrap':>12}  architecture")
failed = False
for function in functions:
    path = out / function / "bootstrap.zip"
    if not path.exists():
        print(f"{function:<14} {'(no crate yet)':>14}")
        continue
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("bootstrap")
        head = z.open("bootstrap").read(20)
    e_machine = int.from_bytes(head[18:20], "little")
    ok = head[:4] == b"\x7fELF" and e_machine == machine
    failed |= not ok
    mib = lambda n: f"{n / 1048576:.1f} MiB"
    print(f"{function:<14} {mib(path.stat().st_size):>14} {mib(info.file_size):>12}  "
          f"{arch if ok else f'WRONG (ELF machine {e_machine:#x})'}")
print(f"\nbuilt for {arch}; `make deploy` passes Architecture={arch} to the template")
sys.exit(1 if failed else 0)
PY

if [[ ${#missing[@]} -gt 0 ]]; then
    echo "build: not built yet (no crate): ${missing[*]}"
fi
