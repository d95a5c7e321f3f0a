# Plugins for Packer >= 1.7 (run `packer init packer/` once). Packer 1.6 has the qemu builder and the ansible
# provisioner built in and does not know this block: remove this file there (see docs/provisioning.md).
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    qemu = {
      version = ">= 1.0.9"
      source  = "github.com/hashicorp/qemu"
    }
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}
