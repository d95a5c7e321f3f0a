#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: libvirt_domain
short_description: Define, start, stop and remove libvirt domains, idempotently
version_added: 0.1.0
author: hyperscaler.workstation contributors (@hyperscaler)
description:
  - Manages one libvirt domain (VM) from a full XML definition or from a structured O(spec).
  - Idempotent by semantic comparison of libvirt's normalised XML, never by text; the domain is redefined only
    when its definition really differs. On a running domain the module reports RV(restart_required) when the
    live configuration differs from the wanted one.
  - Domains it defines carry an ownership mark (a C(metadata) element in the collection's namespace). It refuses
    to change or remove a domain without that mark unless O(adopt=true). Removing a domain deletes only the
    volumes the module created for it (overlays from O(spec.disks[].create) and the cloud-init seed).
  - A failure while creating a domain leaves nothing behind (the definition and the volumes made for it are
    removed).
extends_documentation_fragment:
  - hyperscaler.workstation.attributes
  - hyperscaler.workstation.attributes.converge
  - hyperscaler.workstation.libvirt
options:
  name:
    description: Name of the domain.
    type: str
    required: true
  state:
    description:
      - V(present) defines the domain and leaves its run state alone.
      - V(running) defines and starts it (or resumes it when paused).
      - V(shutdown) asks the guest to power off (ACPI and guest agent) and waits up to O(shutdown_timeout).
      - V(destroyed) powers it off at once.
      - V(paused) starts it paused, or pauses it.
      - V(absent) powers it off, removes the definition and the volumes the module created.
    type: str
    choices: [present, running, shutdown, destroyed, paused, absent]
    default: present
  xml:
    description: A full domain definition. Mutually exclusive with O(spec).
    type: str
  spec:
    description: A structured definition, turned into domain XML by the module. Mutually exclusive with O(xml).
    type: dict
    suboptions:
      domain_type:
        description: Hypervisor type, V(kvm) or V(qemu) (TCG emulation).
        type: str
        choices: [kvm, qemu]
        default: qemu
      vcpus:
        description: Number of virtual CPUs.
        type: int
        required: true
      memory_mb:
        description: Memory in MiB.
        type: int
        required: true
      machine:
        description: Machine type (V(q35), V(pc) or a versioned name).
        type: str
        default: q35
      arch:
        description: Guest architecture.
        type: str
        default: x86_64
      title:
        description: Short description shown by C(virsh list --title).
        type: str
      cpu:
        description: CPU model and topology. Without O(spec.cpu.mode), V(kvm) domains get V(host-passthrough).
        type: dict
        suboptions:
          mode:
            description: CPU mode.
            type: str
            choices: [host-passthrough, host-model, custom, maximum]
          model:
            description: CPU model name for mode V(custom).
            type: str
          sockets:
            description: Sockets; sockets x cores x threads must equal O(spec.vcpus).
            type: int
          cores:
            description: Cores per socket.
            type: int
          threads:
            description: Threads per core.
            type: int
      kernel:
        description: Direct kernel boot (no bootloader in the image).
        type: dict
        suboptions:
          path:
            description: Kernel image on the hypervisor.
            type: path
            required: true
          initrd:
            description: Initial ramdisk on the hypervisor.
            type: path
          cmdline:
            description: Kernel command line.
            type: str
      disks:
        description: Disks in order; the first is the boot disk.
        type: list
        elements: dict
        suboptions:
          dev:
            description: Guest device name (V(vda)).
            type: str
            required: true
          path:
            description: A file on the hypervisor (instead of O(spec.disks[].pool) and O(spec.disks[].volume)).
            type: path
          pool:
            description: Storage pool of the volume.
            type: str
          volume:
            description: Volume name in O(spec.disks[].pool).
            type: str
          format:
            description: Image format.
            type: str
            default: qcow2
          bus:
            description: Disk bus.
            type: str
            default: virtio
          device:
            description: V(disk) or V(cdrom).
            type: str
            choices: [disk, cdrom]
            default: disk
          readonly:
            description: Attach read-only.
            type: bool
            default: false
          cache:
            description:
              - Cache mode (V(none), V(writeback), V(unsafe), ...).
              - The hypervisor's default when omitted.
            type: str
          discard:
            description:
              - Pass discard (TRIM) requests from the guest to the image.
              - A thin image gives the freed space back.
            type: bool
            default: false
          serial:
            description: Serial number shown to the guest.
            type: str
          create:
            description:
              - Create the volume when it is missing (and record it as owned, so O(state=absent) deletes it).
              - An existing owned volume smaller than O(spec.disks[].create.capacity_gb) is grown; none is shrunk.
            type: dict
            suboptions:
              capacity_gb:
                description: Virtual size in GiB.
                type: int
                required: true
              backing_path:
                description: Backing image (a golden image) for a copy-on-write overlay.
                type: path
              backing_format:
                description: Format of the backing image.
                type: str
                default: qcow2
      interfaces:
        description: Network interfaces.
        type: list
        elements: dict
        suboptions:
          network:
            description: A libvirt network.
            type: str
          bridge:
            description: A host bridge (instead of a libvirt network).
            type: str
          mac:
            description: MAC address; keep it stable so DHCP reservations hold.
            type: str
          model:
            description: NIC model.
            type: str
            default: virtio
      hostdevs:
        description:
          - PCI devices passed through with VFIO (C(managed='yes')). Functions of one host slot, such as a GPU
            and its audio function, stay one multi-function guest device on one guest slot.
        type: list
        elements: dict
        suboptions:
          address:
            description: Host PCI address, C(0000:01:00.0).
            type: str
            required: true
          managed:
            description:
              - C(false) for a device that stays bound to its host driver, such as an NVIDIA vGPU virtual
                function (C(managed='no'); libvirt does not rebind it to vfio-pci). It gets a guest slot of its own.
            type: bool
            default: true
      mdevs:
        description: Mediated devices (vGPU instances) by UUID.
        type: list
        elements: dict
        suboptions:
          uuid:
            description: UUID of the mdev on the host.
            type: str
            required: true
          model:
            description: mdev device model.
            type: str
            default: vfio-pci
          display:
            description: Expose the vGPU display.
            type: bool
            default: false
      cpu_pinning:
        description: Pin vCPUs to host CPUs.
        type: list
        elements: dict
        suboptions:
          vcpu:
            description: vCPU number.
            type: int
            required: true
          cpuset:
            description: Host CPUs, C(2) or C(2-3,6).
            type: str
            required: true
      emulator_cpuset:
        description: Host CPUs for the emulator threads.
        type: str
      hugepages:
        description: Back guest memory with huge pages.
        type: dict
        suboptions:
          enabled:
            description: Use huge pages.
            type: bool
            default: true
          size_kb:
            description: Page size in KiB (V(2048), V(1048576)); default is the host's default size.
            type: int
      numa:
        description: Guest NUMA cells; their memory must add up to O(spec.memory_mb).
        type: list
        elements: dict
        suboptions:
          id:
            description: Cell id.
            type: int
            required: true
          cpus:
            description: vCPUs of the cell, C(0-1).
            type: str
            required: true
          memory_mb:
            description: Memory of the cell in MiB.
            type: int
            required: true
          shared:
            description: Shared memory access (for vhost-user, virtiofs).
            type: bool
            default: false
      guest_agent:
        description: Add the qemu-guest-agent channel.
        type: bool
        default: true
      console_log:
        description: Copy the serial console to this file on the hypervisor.
        type: path
  cloud_init:
    description:
      - A NoCloud seed (ISO 9660 labelled C(cidata)) built on the hypervisor, stored as volume C(NAME-seed.iso)
        and attached read-only as the last virtio disk. Needs O(spec). A changed seed is rewritten and the
        module reports RV(restart_required).
    type: dict
    suboptions:
      user_data:
        description: The user-data document (C(#cloud-config) ...).
        type: str
      meta_data:
        description: The meta-data document; default sets instance-id and local-hostname to O(name).
        type: str
      network_config:
        description: The network-config document (version 2).
        type: str
      pool:
        description: Pool for the seed volume; default is the pool of the first pool-backed disk.
        type: str
  labels:
    description: Key-value labels kept in the ownership mark (for example C(cluster=hpc)).
    type: dict
  autostart:
    description: Start the domain when libvirtd starts. Left alone when omitted.
    type: bool
  adopt:
    description:
      - Allow changing or removing a domain that has no ownership mark. Changing it adds the mark; volumes it
        used before are never deleted.
    type: bool
    default: false
  shutdown_timeout:
    description: Seconds to wait for O(state=shutdown).
    type: int
    default: 120
  force:
    description: With O(state=shutdown), power the domain off when it has not stopped within O(shutdown_timeout).
    type: bool
    default: false
  remove_volumes:
    description: With O(state=absent), delete the volumes the module created for the domain.
    type: bool
    default: true
notes:
  - Use O(spec.domain_type=qemu) where KVM guests cannot run; the provisioning role probes this.
'''

EXAMPLES = r'''
- name: A VM from a golden image, with a cloud-init seed, running
  hyperscaler.workstation.libvirt_domain:
    name: hpc-compute-01
    state: running
    spec:
      domain_type: qemu
      vcpus: 1
      memory_mb: 1024
      kernel:
        path: /var/lib/hyperscaler/images/hpc-compute.vmlinuz
        initrd: /var/lib/hyperscaler/images/hpc-compute.initrd
        cmdline: root=/dev/vda rw console=ttyS0 net.ifnames=0
      disks:
        - dev: vda
          pool: hyperscaler
          volume: hpc-compute-01.qcow2
          create:
            capacity_gb: 6
            backing_path: /var/lib/hyperscaler/images/hpc-compute.qcow2
      interfaces:
        - network: hyperscaler-hpc
          mac: "52:54:00:a8:96:0b"
    cloud_init:
      user_data: "{{ lookup('ansible.builtin.template', 'user-data.j2') }}"
    labels:
      cluster: hpc

- name: A GPU and its audio function as one guest device
  hyperscaler.workstation.libvirt_domain:
    name: cloud-gpu-worker-01
    spec:
      domain_type: kvm
      vcpus: 8
      memory_mb: 32768
      hostdevs:
        - address: "0000:41:00.0"
        - address: "0000:41:00.1"
      hugepages:
        size_kb: 1048576

- name: Stop it gracefully, power off after two minutes
  hyperscaler.workstation.libvirt_domain:
    name: hpc-compute-01
    state: shutdown
    shutdown_timeout: 120
    force: true

- name: Remove it and the volumes created for it
  hyperscaler.workstation.libvirt_domain:
    name: hpc-compute-01
    state: absent
'''

RETURN = r'''
name:
  description: The domain name.
  returned: always
  type: str
  sample: hpc-compute-01
state:
  description: The run state after the task (in check mode, the state it would have).
  returned: always
  type: str
  sample: running
owned:
  description: Whether the domain carried the collection's ownership mark before the task.
  returned: always
  type: bool
restart_required:
  description: The domain runs with a configuration that differs from the wanted one; restart it to apply.
  returned: always
  type: bool
actions:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["create volume hyperscaler/hpc-compute-01.qcow2", "define domain hpc-compute-01", "start hpc-compute-01"]
device_changes:
  description:
    - The guest devices the new definition adds, changes or removes, one sentence each (empty when the
      definition is unchanged or not managed by the task).
  returned: always
  type: list
  elements: str
  sample: ["add disk vdb (hyperscaler/data.qcow2)", "change interface 52:54:00:a8:96:0b on network hyperscaler-hpc"]
removed_volumes:
  description: Volumes deleted with the domain.
  returned: when state is absent
  type: list
  elements: dict
  sample: [{"pool": "hyperscaler", "name": "hpc-compute-01.qcow2"}]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hyperscaler.workstation.plugins.module_utils._argspec import LIBVIRT_URI, with_common
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_common import (
    option_dict,
    option_list,
    run_module,
)
from ansible_collections.hyperscaler.workstation.plugins.module_utils._libvirt_domain import converge_domain

_DISK = dict(
    dev=dict(type='str', required=True),
    path=dict(type='path'),
    pool=dict(type='str'),
    volume=dict(type='str'),
    format=dict(type='str', default='qcow2'),
    bus=dict(type='str', default='virtio'),
    device=dict(type='str', choices=['disk', 'cdrom'], default='disk'),
    readonly=dict(type='bool', default=False),
    cache=dict(type='str'),
    discard=dict(type='bool', default=False),
    serial=dict(type='str'),
    create=option_dict(
        capacity_gb=dict(type='int', required=True),
        backing_path=dict(type='path'),
        backing_format=dict(type='str', default='qcow2'),
    ),
)
_CPU_MODES = ['host-passthrough', 'host-model', 'custom', 'maximum']
_STATES = ['present', 'running', 'shutdown', 'destroyed', 'paused', 'absent']

SPEC = dict(
    domain_type=dict(type='str', choices=['kvm', 'qemu'], default='qemu'),
    vcpus=dict(type='int', required=True),
    memory_mb=dict(type='int', required=True),
    machine=dict(type='str', default='q35'),
    arch=dict(type='str', default='x86_64'),
    title=dict(type='str'),
    cpu=option_dict(
        mode=dict(type='str', choices=_CPU_MODES),
        model=dict(type='str'),
        sockets=dict(type='int'),
        cores=dict(type='int'),
        threads=dict(type='int'),
    ),
    kernel=option_dict(path=dict(type='path', required=True), initrd=dict(type='path'), cmdline=dict(type='str')),
    disks=option_list(**_DISK),
    interfaces=option_list(
        network=dict(type='str'),
        bridge=dict(type='str'),
        mac=dict(type='str'),
        model=dict(type='str', default='virtio'),
    ),
    hostdevs=option_list(address=dict(type='str', required=True), managed=dict(type='bool', default=True)),
    mdevs=option_list(
        uuid=dict(type='str', required=True),
        model=dict(type='str', default='vfio-pci'),
        display=dict(type='bool', default=False),
    ),
    cpu_pinning=option_list(vcpu=dict(type='int', required=True), cpuset=dict(type='str', required=True)),
    emulator_cpuset=dict(type='str'),
    hugepages=option_dict(enabled=dict(type='bool', default=True), size_kb=dict(type='int')),
    numa=option_list(
        id=dict(type='int', required=True),
        cpus=dict(type='str', required=True),
        memory_mb=dict(type='int', required=True),
        shared=dict(type='bool', default=False),
    ),
    guest_agent=dict(type='bool', default=True),
    console_log=dict(type='path'),
)


def argument_spec():
    spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=_STATES),
        xml=dict(type='str'),
        spec=dict(type='dict', options=SPEC),
        cloud_init=option_dict(
            user_data=dict(type='str'),
            meta_data=dict(type='str'),
            network_config=dict(type='str'),
            pool=dict(type='str'),
        ),
        labels=dict(type='dict'),
        autostart=dict(type='bool'),
        adopt=dict(type='bool', default=False),
        shutdown_timeout=dict(type='int', default=120),
        force=dict(type='bool', default=False),
        remove_volumes=dict(type='bool', default=True),
    )
    return with_common(spec, LIBVIRT_URI)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[('xml', 'spec')],
        required_by={'cloud_init': 'spec'},
        supports_check_mode=True,
    )
    run_module(
        module,
        lambda conn: converge_domain(conn, module.params, module.check_mode, module._diff, module.run_command),
    )


if __name__ == '__main__':
    main()
