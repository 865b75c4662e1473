"""A virtual machine measured beside a container: boot-to-userspace seconds and qemu's memory.

The VM is Debian's stock kernel with a busybox initramfs whose /init prints a marker and powers
off (made inside a container from ``bases/recipes/vm-assets.Dockerfile``). It boots under KVM
when KVM really works here (tried, with a timeout), otherwise under software emulation (TCG),
and the results say which.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import html
import io
import os
import platform
import select
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from .columns import VM_BOOTS, declares
from . import engine
from .builder import build
from .catalogue import RECIPES
from .errors import VmUnavailable
from .images import image_size
from .interrupts import scratch_container
from .recording import recordable
from .site import ANSI  # terminal colour codes: one pattern for the course

if TYPE_CHECKING:  # the return annotations name it; pandas itself is imported where a table is made
    import pandas as pd

__all__ = [
    "VmUnavailable", "VmBoot", "Accelerator", "accelerator", "assets", "boot", "kvm_works", "boot_times", "kernel_package_bytes", "minimal_vm_disk", "MARKER",
]

MARKER = b"DOCKERLAB-VM-USERSPACE-READY"
ASSETS_TAG = "dockerlab-vm/assets:latest"
CACHE = Path(os.environ.get("DOCKERLAB_CACHE", Path.home() / ".cache" / "dockerlab")) / "vm"
KVM_PROBE_SECONDS = 10
TCG_TIMEOUT_SECONDS = 120
VM_MEMORY_MB = 256
FIRECRACKER_REFERENCE = "Firecracker (NSDI '20): a microVM boots in < 125 ms with < 5 MB of memory overhead"

ACCELERATOR_NAMES = {"kvm": "KVM (hardware virtualisation)", "tcg": "software emulation (TCG)"}
_kvm_verdict: dict[str, Accelerator] = {}


@dataclass(frozen=True)
class Accelerator:
    """What runs the course VM here: ``name`` "kvm" or "tcg", and ``reason``, one sentence saying why
    (KVM booted; or why it could not be used: no /dev/kvm, no permission, or what qemu printed last
    when a boot under KVM did not reach userspace in time)."""

    name: str
    reason: str

    @property
    def label(self) -> str:
        return ACCELERATOR_NAMES[self.name]

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"

    def _repr_html_(self) -> str:
        return f"<p>The VM runs under <b>{html.escape(self.label)}</b>: {html.escape(self.reason)}</p>"


@dataclass(frozen=True)
class VmBoot:
    """One boot: seconds from starting qemu to the marker from userspace, qemu's memory then."""

    accelerator: str
    seconds: float
    rss_bytes: int
    peak_rss_bytes: int


def _qemu() -> str:
    if platform.machine() not in ("x86_64", "AMD64"):
        raise VmUnavailable(
            f"The course VM is built for x86_64; this machine is {platform.machine()}.",
            fix="Read the recorded VM figures instead; containers are measured live as usual.",
        )
    binary = shutil.which("qemu-system-x86_64")
    if not binary:
        raise VmUnavailable(
            "qemu-system-x86_64 is not installed, so no VM can be booted for the comparison.",
            fix="Debian/Ubuntu: sudo apt-get install qemu-system-x86 (or sudo bash scripts/install-vm-tools); macOS: brew install qemu.",
        )
    return binary


def assets(progress: bool = False) -> tuple[Path, Path]:
    """Kernel and initramfs paths, made once in a container and cached under ~/.cache/dockerlab/vm. Raises
    BuildFailed when the assets image does not build."""
    kernel, initramfs = CACHE / "vmlinuz", CACHE / "initramfs.gz"
    if kernel.exists() and initramfs.exists() and (CACHE / "kernel-package-bytes").exists():
        return kernel, initramfs
    client = engine.client()
    with_recipe = RECIPES / "vm-assets.Dockerfile"
    build(RECIPES, with_recipe.read_text(), tag=ASSETS_TAG, progress=progress)
    with scratch_container(client, ASSETS_TAG) as container_id:
        stream, _ = client.api.get_archive(container_id, "/vm")
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            for member in archive.getmembers():
                if member.isfile():
                    target = CACHE / Path(member.name).name
                    target.write_bytes(archive.extractfile(member).read())
    return kernel, initramfs


def _memory(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


@recordable("vm.boot")
def boot(accelerator: str = "tcg", timeout: float | None = None) -> VmBoot:
    """Boot the course VM once under ``accelerator`` ("kvm" or "tcg"); raises when it does not boot in time.
    Returns a VmBoot. Raises VmUnavailable when this is not an x86_64 machine or qemu is not installed,
    BuildFailed when the VM's assets do not build, and VmUnavailable with ``qemu_output`` (qemu's last
    words) when the VM does not reach userspace within ``timeout`` seconds (default 10 under KVM, 120 under TCG)."""
    qemu = _qemu()
    kernel, initramfs = assets()
    timeout = timeout or (KVM_PROBE_SECONDS if accelerator == "kvm" else TCG_TIMEOUT_SECONDS)
    command = [
        qemu, "-accel", accelerator, "-m", str(VM_MEMORY_MB), "-smp", "1", "-nographic", "-no-reboot",
        "-kernel", str(kernel), "-initrd", str(initramfs), "-append", "console=ttyS0 panic=-1 quiet",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    seen = b""
    try:
        while MARKER not in seen:
            remaining = timeout - (time.perf_counter() - started)
            if remaining <= 0 or process.poll() is not None:
                said = seen.decode(errors="replace")[-400:]
                raise VmUnavailable(
                    f"The VM did not reach userspace under {accelerator} within {timeout:.0f} s; qemu said: {said or '(nothing)'}",
                    fix=("Under TCG (software emulation) a boot can take minutes on a busy machine: pass a longer timeout=, or boot where KVM works."
                         if accelerator == "tcg" else
                         "KVM opened but the VM stopped at the line above: boot with accelerator='tcg' (dl.vm.accelerator() chooses it by itself)."),
                    qemu_output=said,
                )
            ready, _, _ = select.select([process.stdout], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(process.stdout.fileno(), 65536)
                seen += chunk
        seconds = time.perf_counter() - started
        rss, peak = _memory(process.pid)
    finally:
        process.kill()
        process.wait()
    return VmBoot(accelerator, seconds, rss, peak)


def _last_words(text: str) -> str:
    """The last line of qemu's console output with words in it (colour and cursor codes removed)."""
    lines = [line.strip() for line in ANSI.sub("", text).splitlines()]
    return next((line for line in reversed(lines) if any(character.isalpha() for character in line)), "(nothing)")


def _probe_kvm() -> Accelerator:
    if not os.path.exists("/dev/kvm"):
        return Accelerator("tcg",
                           "there is no /dev/kvm: this machine (or the VM it is) offers no hardware virtualisation, so qemu emulates the CPU in software")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return Accelerator("tcg",
                           "/dev/kvm exists but this user may not open it (on Linux: add the user to the kvm group), so qemu emulates the CPU in software")
    try:
        boot("kvm")
    except VmUnavailable as error:
        if error.qemu_output is None:  # no VM here at all, not a slow one
            raise
        said = error.qemu_output
        return Accelerator("tcg", f"KVM was tried: /dev/kvm opened, but the VM did not reach userspace within {KVM_PROBE_SECONDS} s "
                                  f"(qemu's last line: {_last_words(said)!r}; the course does not find out why KVM stops there), "
                                  "so the VM runs in software emulation")
    return Accelerator("kvm", f"a VM booted under KVM within {KVM_PROBE_SECONDS} s here")


@recordable("vm.accelerator")
def accelerator() -> Accelerator:
    """Which accelerator runs the course VM here, and why (tried once, with a timeout, then remembered).
    Returns an :class:`Accelerator`. Raises VmUnavailable when this is not an x86_64 machine or qemu is
    not installed, and BuildFailed when the VM's assets do not build."""
    if "kvm" not in _kvm_verdict:
        _kvm_verdict["kvm"] = _probe_kvm()
    return _kvm_verdict["kvm"]


def kvm_works() -> bool:
    """True when a VM really boots under KVM here (see :func:`accelerator`, which says why not). Raises
    what :func:`accelerator` raises."""
    return accelerator().name == "kvm"


@recordable("vm.boot_times")
@declares(VM_BOOTS)
def boot_times(n: int = 3) -> pd.DataFrame:
    """Boot the VM ``n`` times (KVM when it works, else software emulation): one row per boot. {columns} Raises
    VmUnavailable when this is not an x86_64 machine or qemu is not installed, or a boot does not reach userspace in time
    (``qemu_output``), and BuildFailed when the VM's assets do not build."""

    chosen = accelerator().name
    rows = []
    for run in range(1, n + 1):
        result = boot(chosen)
        rows.append({"kind": "VM (qemu)", "accelerator": ACCELERATOR_NAMES[chosen], "run": run, "seconds": result.seconds, "memory_bytes": result.rss_bytes})
    table = VM_BOOTS.frame(rows)
    table.attrs["experiment"] = "vm_boot"
    return table


@recordable("vm.kernel_package_bytes")
def kernel_package_bytes() -> int:
    """Installed size of Debian's kernel package (kernel and modules), in bytes: what every VM carries, no container
    does. Raises BuildFailed when the VM's assets do not build."""
    assets()
    return int((CACHE / "kernel-package-bytes").read_text().strip())


DISK_TAG = "dockerlab-vm/minimal-disk:latest"


@recordable("vm.minimal_vm_disk")
def minimal_vm_disk(progress: bool = False) -> int:
    """Bytes a minimal Debian server VM's root filesystem holds (kernel, init, udev, network, ssh).

    Built from ``bases/recipes/vm-disk.Dockerfile`` as an image, so it is measured like every
    other image; it is never booted. A real VM disk adds partitions, a bootloader and free space.
    Raises BuildFailed when the image does not build.
    """
    build(RECIPES, (RECIPES / "vm-disk.Dockerfile").read_text(), tag=DISK_TAG, progress=progress)
    return image_size(DISK_TAG)
