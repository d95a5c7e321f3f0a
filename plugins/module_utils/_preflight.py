# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""Host checks for the hypervisor (the logic of host_preflight_info).

Every check returns {name, status: pass|warn|fail, detail, fix}.  A check
fails only when the caller says its subject is required; otherwise a problem
is a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re
import sys

# A KVM guest that really runs: create a VM with one page of memory holding
# "hlt", run one vCPU in real mode and expect a KVM_EXIT_HLT.  Run in a child
# process so that a KVM_RUN that never returns (broken nested virt) is bounded.
KVM_PROBE = r'''
import ctypes, fcntl, mmap, os, struct, sys
dev = sys.argv[1]
KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_GET_VCPU_MMAP_SIZE = 0xAE00, 0xAE01, 0xAE04
KVM_CREATE_VCPU, KVM_RUN = 0xAE41, 0xAE80
KVM_SET_USER_MEMORY_REGION, KVM_SET_REGS = 0x4020AE46, 0x4090AE82
KVM_GET_SREGS, KVM_SET_SREGS = 0x8138AE83, 0x4138AE84
kvm = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
if fcntl.ioctl(kvm, KVM_GET_API_VERSION) != 12:
    print("bad-api"); sys.exit(2)
vm = fcntl.ioctl(kvm, KVM_CREATE_VM, 0)
mem = mmap.mmap(-1, 0x1000)
mem.write(b"\xf4")
addr = ctypes.addressof(ctypes.c_char.from_buffer(mem))
fcntl.ioctl(vm, KVM_SET_USER_MEMORY_REGION, struct.pack("IIQQQ", 0, 0, 0x1000, 0x1000, addr))
vcpu = fcntl.ioctl(vm, KVM_CREATE_VCPU, 0)
size = fcntl.ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)
run = mmap.mmap(vcpu, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
sregs = bytearray(312)
fcntl.ioctl(vcpu, KVM_GET_SREGS, sregs, True)
sregs[0:8] = b"\0" * 8
sregs[12:14] = b"\0" * 2
fcntl.ioctl(vcpu, KVM_SET_SREGS, bytes(sregs))
regs = [0] * 18
regs[16], regs[17] = 0x1000, 0x2
fcntl.ioctl(vcpu, KVM_SET_REGS, struct.pack("18Q", *regs))
fcntl.ioctl(vcpu, KVM_RUN, 0)
reason = struct.unpack_from("I", run, 8)[0]
print("exit-%d" % reason)
sys.exit(0 if reason == 5 else 3)
'''


# What a probe runs its child with: run(argv) -> (rc, stdout, stderr), AnsibleModule.run_command in the module.
# The KVM probe bounds its child with coreutils' timeout (SIGKILL: a KVM_RUN that never returns ignores less);
# timeout then ends the same way, which run_command reports as -9 (or 137 from a shell).
TIMED_OUT = (-9, 124, 137)

# qemu with no disk reaches SeaBIOS's boot menu in well under a second on a working KVM, then waits: watch its
# debug console and stop qemu as soon as the menu shows (exit 0), or when the deadline passes (exit 1).
_QEMU_WATCH = r"""
log=$1 tenths=$2; shift 2
"$@" -debugcon "file:$log" & pid=$!
i=0
while [ "$i" -lt "$tenths" ]; do
    if grep -q -e 'Booting from' -e 'No bootable device' "$log" 2>/dev/null; then kill -9 "$pid"; wait "$pid"; exit 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1; i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null; wait "$pid"; exit 1
"""


def kvm_probe(run, device="/dev/kvm", timeout=5.0, python=None):
    """Return (ok, detail): can a KVM guest run an instruction and exit within ``timeout`` seconds?"""
    if not os.path.exists(device):
        return False, "%s does not exist" % device
    if not os.access(device, os.R_OK | os.W_OK):
        return False, "%s is not readable and writable by this user" % device
    rc, out, err = run(["timeout", "-s", "KILL", "%g" % timeout, python or sys.executable, "-c", KVM_PROBE, device])
    if rc in TIMED_OUT:
        return False, "a KVM guest did not finish one instruction within %ss (KVM_RUN hangs)" % timeout
    out = (out or "").strip()
    err = (err or "").strip().splitlines()
    if rc == 0:
        return True, "a KVM guest ran and halted (%s)" % out
    return False, "KVM probe failed (%s)" % (out or (err[-1] if err else "rc %d" % rc))


def qemu_kvm_probe(run, qemu="qemu-system-x86_64", timeout=8.0, workdir=None):
    """Return (ok, detail): does qemu with -accel kvm run the firmware to its boot menu?

    SeaBIOS prints to the debug console (port 0x402); with no disk it reaches
    "No bootable device." in well under a second on a working KVM.
    """
    import shutil  # pylint: disable=import-outside-toplevel
    import tempfile  # pylint: disable=import-outside-toplevel

    binary = shutil.which(qemu) if not os.path.isabs(qemu) else qemu
    if not binary or not os.path.exists(binary):
        return None, "%s not found; qemu probe skipped" % qemu
    tmp = tempfile.mkdtemp(dir=workdir)
    qemu_argv = [binary, "-accel", "kvm", "-M", "pc", "-m", "64", "-nodefaults", "-display", "none", "-no-reboot",
                 "-global", "isa-debugcon.iobase=0x402"]  # fmt: skip
    try:
        rc, _out, err = run(["sh", "-c", _QEMU_WATCH, "qemu-probe", os.path.join(tmp, "debugcon.txt"),
                             str(int(timeout * 10))] + qemu_argv)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if rc == 0:
        return True, "qemu -accel kvm ran the firmware to its boot menu"
    err = (err or "").strip().splitlines()
    return False, "qemu -accel kvm did not reach the firmware boot menu within %ss (%s)" % (
        timeout,
        err[-1] if err else "no error output",
    )


def _read(path, default=""):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return default


class Preflight(object):
    def __init__(
        self,
        sysfs_root="/sys",
        proc_root="/proc",
        etc_root="/etc",
        run_root="/run",
        kvm_device="/dev/kvm",
        kvm_timeout=5.0,
        kvm_prober=None,
        statvfs=None,
        qemu_prober="default",
        run_command=None,
    ):
        """``run_command(argv) -> (rc, out, err)`` runs the probes (AnsibleModule.run_command in the module);
        ``kvm_prober(device, timeout)`` and ``qemu_prober(timeout=)`` replace them (``qemu_prober=None``: none)."""
        self.sysfs_root = sysfs_root
        self.proc_root = proc_root
        self.etc_root = etc_root
        self.run_root = run_root
        self.kvm_device = kvm_device
        self.kvm_timeout = kvm_timeout
        self.run_command = run_command
        self.kvm_prober = kvm_prober or self._kvm_probe
        self.qemu_prober = self._qemu_probe if qemu_prober == "default" else qemu_prober
        self.statvfs = statvfs or os.statvfs

    def _kvm_probe(self, device, timeout):
        return kvm_probe(self.run_command, device, timeout)

    def _qemu_probe(self, timeout):
        return qemu_kvm_probe(self.run_command, timeout=timeout)

    @staticmethod
    def _check(name, ok, required, detail, fix, warn_only=False):
        if ok:
            status = "pass"
        elif required and not warn_only:
            status = "fail"
        else:
            status = "warn"
        return {"name": name, "status": status, "detail": detail, "fix": "" if ok else fix}

    def facts(self, disk_path="/var/lib/libvirt"):
        cpuinfo = _read(os.path.join(self.proc_root, "cpuinfo"))
        flags = set()
        for line in cpuinfo.splitlines():
            if line.startswith("flags"):
                flags.update(line.split(":", 1)[1].split())
        cmdline = _read(os.path.join(self.proc_root, "cmdline")).split()
        meminfo = dict(
            (m.group(1), int(m.group(2)))
            for m in re.finditer(r"^(\w+):\s+(\d+)", _read(os.path.join(self.proc_root, "meminfo")), re.M)
        )
        try:
            groups = os.listdir(os.path.join(self.sysfs_root, "kernel", "iommu_groups"))
        except OSError:
            groups = []
        modules = dict(
            (m, os.path.isdir(os.path.join(self.sysfs_root, "module", m)))
            for m in (
                "kvm",
                "kvm_intel",
                "kvm_amd",
                "vfio",
                "vfio_pci",
                "vfio_iommu_type1",
                "nouveau",
                "nvidia",
                "nvidia_vgpu_vfio",
            )
        )
        blacklist = False
        for conf in glob.glob(os.path.join(self.etc_root, "modprobe.d", "*.conf")):
            if re.search(r"^\s*blacklist\s+nouveau\b", _read(conf), re.M):
                blacklist = True
        path = disk_path
        while path and not os.path.exists(path):
            path = os.path.dirname(path)
        try:
            st = self.statvfs(path or "/")
            disk_free_gb = round(st.f_bavail * st.f_frsize / float(1 << 30), 1)
        except OSError:
            disk_free_gb = None
        cores = len(re.findall(r"^processor\s*:", cpuinfo, re.M)) or None
        sockets = [os.path.join(self.run_root, "libvirt", s) for s in ("libvirt-sock", "virtqemud-sock")]
        return {
            "cpu_flags_virt": sorted(flags & set(["vmx", "svm"])),
            "cmdline": cmdline,
            "iommu_cmdline": any(
                a in ("intel_iommu=on", "amd_iommu=on", "amd_iommu=force_isolation") or a.startswith("amd_iommu")
                for a in cmdline
            ),
            "iommu_groups": len(groups),
            "modules": modules,
            "nouveau_blacklisted": blacklist
            or "modprobe.blacklist=nouveau" in cmdline
            or "rd.driver.blacklist=nouveau" in cmdline,
            "memory_mb": meminfo.get("MemTotal", 0) // 1024,
            "memory_available_mb": meminfo.get("MemAvailable", 0) // 1024,
            "disk_path": path,
            "disk_free_gb": disk_free_gb,
            "cores": cores,
            "libvirt_running": any(os.path.exists(s) for s in sockets),
        }

    def checks(
        self,
        require_kvm=False,
        require_iommu=False,
        require_vfio=False,
        require_libvirt=False,
        min_memory_mb=0,
        min_disk_gb=0,
        min_cores=0,
        disk_path="/var/lib/libvirt",
        probe_kvm=True,
    ):
        f = self.facts(disk_path)
        out = []
        out.append(
            self._check(
                "cpu_virtualization",
                bool(f["cpu_flags_virt"]),
                require_kvm,
                "CPU flags: %s" % (", ".join(f["cpu_flags_virt"]) or "no vmx/svm"),
                "Enable VT-x/AMD-V in the firmware (or nested virtualization on the outer hypervisor).",
            )
        )
        if probe_kvm:
            ok, detail = self.kvm_prober(self.kvm_device, self.kvm_timeout)
            if ok and self.qemu_prober is not None:
                qok, qdetail = self.qemu_prober(timeout=self.kvm_timeout + 3)
                if qok is not None:
                    ok = qok
                detail = "%s; %s" % (detail, qdetail)
        else:
            ok, detail = os.path.exists(self.kvm_device), "probe skipped; %s %s" % (
                self.kvm_device,
                "exists" if os.path.exists(self.kvm_device) else "is missing",
            )
        f["kvm_works"] = ok
        out.append(
            self._check(
                "kvm_guest_runs",
                ok,
                require_kvm,
                detail,
                "Load kvm_intel/kvm_amd, give this user access to /dev/kvm (group kvm) and, inside a VM, enable "
                "nested virtualization; without it guests run under TCG emulation (slow).",
            )
        )
        iommu_ok = f["iommu_groups"] > 0
        out.append(
            self._check(
                "iommu",
                iommu_ok,
                require_iommu,
                "%d IOMMU groups; kernel command line %s an IOMMU option"
                % (f["iommu_groups"], "has" if f["iommu_cmdline"] else "lacks"),
                "Enable VT-d/AMD-Vi in the firmware, add intel_iommu=on (or amd_iommu=on) iommu=pt to "
                "GRUB_CMDLINE_LINUX, run update-grub and reboot.",
            )
        )
        vfio_ok = f["modules"]["vfio_pci"] or os.path.isdir(
            os.path.join(self.sysfs_root, "bus", "pci", "drivers", "vfio-pci")
        )
        out.append(
            self._check(
                "vfio_modules",
                vfio_ok,
                require_vfio,
                "vfio-pci %s" % ("loaded" if vfio_ok else "not loaded"),
                "Run 'modprobe vfio-pci' and list vfio, vfio_iommu_type1 and vfio-pci in /etc/modules-load.d/vfio.conf.",
            )
        )
        nouveau_ok = f["nouveau_blacklisted"] and not f["modules"]["nouveau"]
        out.append(
            self._check(
                "nouveau_blacklisted",
                nouveau_ok,
                require_vfio,
                "nouveau %s, %s"
                % (
                    "loaded" if f["modules"]["nouveau"] else "not loaded",
                    "blacklisted" if f["nouveau_blacklisted"] else "not blacklisted",
                ),
                "Write 'blacklist nouveau' and 'options nouveau modeset=0' to /etc/modprobe.d/blacklist-nouveau.conf, "
                "run update-initramfs -u and reboot.",
            )
        )
        out.append(
            self._check(
                "libvirt_running",
                f["libvirt_running"],
                require_libvirt,
                "libvirt socket %s"
                % ("found" if f["libvirt_running"] else "not found under %s/libvirt" % self.run_root),
                "Install libvirt-daemon-system and run 'systemctl enable --now libvirtd' (or virtqemud.socket).",
            )
        )
        out.append(
            self._check(
                "memory",
                f["memory_mb"] >= min_memory_mb,
                min_memory_mb > 0,
                "%d MiB total, %d MiB available (need %d)" % (f["memory_mb"], f["memory_available_mb"], min_memory_mb),
                "Add memory or shrink the VMs in cluster.yaml.",
            )
        )
        disk_ok = f["disk_free_gb"] is None or f["disk_free_gb"] >= min_disk_gb
        out.append(
            self._check(
                "disk",
                disk_ok,
                min_disk_gb > 0,
                "%s GiB free at %s (need %s)" % (f["disk_free_gb"], f["disk_path"], min_disk_gb),
                "Free disk space at %s or point the storage pool elsewhere." % f["disk_path"],
            )
        )
        out.append(
            self._check(
                "cores",
                (f["cores"] or 0) >= min_cores,
                min_cores > 0,
                "%s CPU threads (need %d)" % (f["cores"], min_cores),
                "Reduce vCPUs in cluster.yaml.",
            )
        )
        return f, out


def run_checks(params, run_command):
    """The result of host_preflight_info for its module parameters (run_command: the module's, for the probes)."""
    pre = Preflight(
        params["sysfs_root"],
        params["proc_root"],
        params["etc_root"],
        params["run_root"],
        params["kvm_device"],
        params["kvm_timeout"],
        run_command=run_command,
    )
    facts, checks = pre.checks(
        require_kvm=params["require_kvm"],
        require_iommu=params["require_iommu"],
        require_vfio=params["require_vfio"],
        require_libvirt=params["require_libvirt"],
        min_memory_mb=params["min_memory_mb"],
        min_disk_gb=params["min_disk_gb"],
        min_cores=params["min_cores"],
        disk_path=params["disk_path"],
        probe_kvm=params["kvm_probe"],
    )
    return {
        "changed": False,
        "checks": checks,
        "host": facts,
        "failed_checks": [c["name"] for c in checks if c["status"] == "fail"],
    }
