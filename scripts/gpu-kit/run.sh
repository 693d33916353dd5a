#!/usr/bin/env bash
# The GPU kit's runner (packed by `npm run gpu-kit` as .gpu-kit/run.sh). On a
# Linux x86-64 machine with a GPU, from the checkout's root, with .gpu-kit/
# and public/data/ there:
#
#   bash .gpu-kit/run.sh                 the default run below
#   bash .gpu-kit/run.sh --images=8192   any `npm run bench -- --node` options instead
#
# Checks the compiled WebGPU step against tfjs's cpu backend, then runs the bench's Node path on
# WebGPU through Dawn and Vulkan, with the Node
# binary packed in the kit. Figures and the JSON lines go to stdout; the lines
# also go to .gpu-kit/bench-results/, and to $OUT when that is set.
set -euo pipefail
kit=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$kit")
if [ ! -f "$root/public/data/fashion-mnist/train-images-idx3-ubyte.gz" ]; then
  echo "gpu-kit: no dataset at $root/public/data/fashion-mnist (copy public/data/ beside .gpu-kit/)" >&2
  exit 2
fi

# unxz FILE.xz OUT: with xz where installed, else with Python's lzma module.
unxz() {
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
work=${TMPDIR:-/tmp}/lenet-gpu-kit
mkdir -p "$work"
unxz "$kit/node.xz" "$work/node"
chmod +x "$work/node"
dawn="$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz "$dawn.xz" "$dawn"
# Unpacked, Dawn is 21 MB: remove it again so the kit keeps the size it travels at.
trap 'rm -f "$dawn"' EXIT

# NVIDIA's Vulkan driver needs the Vulkan loader and GL dispatch libraries; a
# bare GPU machine may lack them. Unpacked into / (as the device tool's notes
# do), and only on a GPU machine, as root.
if [ -d "$kit/debs" ] && command -v nvidia-smi >/dev/null && [ "$(id -u)" = 0 ] &&
  ! ldconfig -p | grep -q 'libGLdispatch\.so\.0 '; then
  for deb in "$kit"/debs/*.deb; do dpkg -x "$deb" /; done
  ldconfig
fi
# Dawn opens libvulkan.so.1 itself: use the machine's loader, else the kit's.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's Vulkan driver where the container mounts it outside the usual folders.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES=$nvidia_icd; fi

echo "gpu-kit: node $("$work/node" --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-(default)}, $(command -v nvidia-smi >/dev/null && nvidia-smi -L | head -1 || echo 'no nvidia-smi')"
if [ $# -eq 0 ]; then
  # A GPU trains an epoch in about a second: enough images and rounds for a stable figure, at the batch
  # sizes the issue asks for (the compiled step against our loop on tfjs's kernels, and model.fit).
  set -- --images=49152 --warmup=4096 --rounds=3 --no-cold --batches=256,1024
fi
cd "$root"
status=0
# First the compiled step against tfjs's cpu backend on this GPU (seconds): a figure is worth little if the step is wrong.
"$work/node" "$kit/bench/check-compiled-step.mjs" || status=$?
"$work/node" "$kit/bench/bench.mjs" --node --backends=webgpu "$@" || status=$?
if [ -n "${OUT:-}" ] && [ -d "$kit/bench-results" ]; then cp "$kit"/bench-results/*.jsonl "$OUT"/ 2>/dev/null || true; fi
exit "$status"
