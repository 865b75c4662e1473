"""The doctor's emulation row reads binfmt_misc as the kernel shows it (a folder here: no engine needed)."""
from dockerlab import readiness
from dockerlab.engine import EngineInfo


def info(arch: str) -> EngineInfo:
    return EngineInfo(host="unix:///x", version="20.10.24", api_version="1.41", os="linux", arch=arch, kernel="6", operating_system="Debian",
                      storage_driver="overlay2", data_root="/var/lib/docker", cpus=2, memory_bytes=1 << 34, builder="buildkit")


def test_emulation_registered_not_registered_and_not_visible(tmp_path):
    (tmp_path / "status").write_text("enabled\n")
    (tmp_path / "qemu-aarch64").write_text("enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n")
    on = readiness.check_emulation(info("amd64"), tmp_path)
    assert on.status == readiness.OK and "linux/arm64" in on.detail
    (tmp_path / "qemu-aarch64").write_text("disabled\n")
    off = readiness.check_emulation(info("amd64"), tmp_path)
    assert off.status == readiness.INFO and "exec format error" in off.detail and "install-emulation" in off.fix
    arm = readiness.check_emulation(info("arm64"), tmp_path)  # an arm64 machine needs the x86_64 emulator
    assert "qemu-x86_64" in arm.detail and "linux/amd64" in arm.detail
    unseen = readiness.check_emulation(info("amd64"), tmp_path / "not-mounted")
    assert unseen.status == readiness.INFO and "cannot see" in unseen.detail
