"""Which accelerator runs the VM, and the reason the notebook shows for it."""
from __future__ import annotations

import pytest

from dockerlab import vm
from dockerlab.errors import VmUnavailable


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(vm, "_kvm_verdict", {})
    monkeypatch.setenv("DOCKERLAB_MODE", "live")


def test_no_dev_kvm_means_software_emulation_and_says_so(monkeypatch):
    monkeypatch.setattr(vm.os.path, "exists", lambda path: False)
    chosen = vm.accelerator()
    assert chosen.name == "tcg" and "no /dev/kvm" in chosen.reason and not vm.kvm_works()


def test_a_kvm_boot_that_times_out_names_qemus_last_words_without_terminal_codes(monkeypatch):
    monkeypatch.setattr(vm.os.path, "exists", lambda path: True)
    monkeypatch.setattr(vm.os, "access", lambda path, mode: True)

    def boot(accelerator):
        raise VmUnavailable("The VM did not reach userspace under kvm within 10 s.", fix="a longer timeout",
                            qemu_output="\x1bc\x1b[?7l\x1b[2JSeaBIOS\r\n\r\nBooting from ROM...\r\n\x1bc\x1b[?7l")

    monkeypatch.setattr(vm, "boot", boot)
    chosen = vm.accelerator()
    assert chosen.name == "tcg" and "'Booting from ROM...'" in chosen.reason and "\x1b" not in chosen.reason
    assert str(chosen).startswith("software emulation (TCG): KVM was tried")
    # what was observed, not a guess at why: /dev/kvm opened, and how far the guest got in the time it had
    assert "/dev/kvm" in chosen.reason and "10 s" in chosen.reason and "nested" not in chosen.reason and "cloud" not in chosen.reason


def test_a_kvm_boot_that_works_is_used(monkeypatch):
    monkeypatch.setattr(vm.os.path, "exists", lambda path: True)
    monkeypatch.setattr(vm.os, "access", lambda path, mode: True)
    monkeypatch.setattr(vm, "boot", lambda accelerator: None)
    assert vm.accelerator().name == "kvm" and vm.kvm_works()


def test_no_qemu_is_not_hidden_as_a_reason(monkeypatch):
    monkeypatch.setattr(vm.os.path, "exists", lambda path: True)
    monkeypatch.setattr(vm.os, "access", lambda path, mode: True)

    def boot(accelerator):
        raise VmUnavailable("qemu-system-x86_64 is not installed.")

    monkeypatch.setattr(vm, "boot", boot)
    with pytest.raises(VmUnavailable):
        vm.accelerator()
