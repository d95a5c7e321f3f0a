# Golden images from the upstream Debian 12 cloud image, provisioned by the collection's Ansible content with the
# same package lists as the debootstrap backend (roles/image_builder/defaults/main.yml).
#
#   packer init packer/            # Packer >= 1.7, once
#   packer validate -var image_type=hpc-compute packer/
#   packer build -var image_type=hpc-compute -var output_dir=/var/lib/hyperscaler/images/packer packer/
#
# The build logs in with a throw-away key pair (no password; the role generates it in the cache directory); cloud-init is reset at the end
# so each VM runs it again with its own NoCloud seed.

locals {
  build_dir = "${var.output_dir}/${var.image_type}.build"
  image     = "${var.output_dir}/${var.image_type}.qcow2"
}

source "qemu" "debian" {
  iso_url          = var.base_image_url
  iso_checksum     = var.base_image_checksum
  disk_image       = true
  disk_size        = var.disk_size
  format           = "qcow2"
  disk_compression = true
  accelerator      = var.accelerator
  memory           = var.memory
  cpus             = var.cpus
  headless         = true
  net_device       = "virtio-net"
  disk_interface   = "virtio"
  output_directory = local.build_dir
  vm_name          = "${var.image_type}.qcow2"
  # NoCloud seed for the build VM (user "packer" with the throw-away public key), written by the role from
  # roles/image_builder/templates/packer-user-data.j2.
  cd_label = "cidata"
  cd_files = ["${var.seed_dir}/user-data", "${var.seed_dir}/meta-data"]
  communicator              = "ssh"
  ssh_username              = "packer"
  ssh_private_key_file      = var.ssh_private_key_file
  ssh_timeout               = var.ssh_timeout
  shutdown_command          = "sudo shutdown -P now"
  qemuargs                  = [["-serial", "file:${var.output_dir}/${var.image_type}.console.log"]]
}

build {
  name    = "hyperscaler-golden-image"
  sources = ["source.qemu.debian"]

  provisioner "ansible" {
    playbook_file = "${path.root}/provision-image.yml"
    user          = "packer"
    extra_arguments = [
      "--extra-vars", "image_type=${var.image_type}",
      "--extra-vars", "role_dir=${var.role_dir}",
    ]
    ansible_env_vars = ["ANSIBLE_HOST_KEY_CHECKING=False"]
  }

  # Reset what must be unique per VM: cloud-init state, host keys, machine-id, the build user.
  provisioner "shell" {
    execute_command = "sudo sh -c '{{ .Vars }} {{ .Path }}'"
    inline = [
      "cloud-init clean --logs",
      "rm -f /etc/ssh/ssh_host_*",
      "truncate -s 0 /etc/machine-id",
      "apt-get clean",
      "sed -i '/^packer:/d' /etc/sudoers.d/90-cloud-init-users || true",
    ]
  }

  post-processor "shell-local" {
    inline = [
      "mv -f '${local.build_dir}/${var.image_type}.qcow2' '${local.image}'",
      "rmdir '${local.build_dir}'",
      "printf '{\"type\": \"%s\", \"backend\": \"packer\", \"qcow2\": \"%s\", \"kernel\": \"\", \"initrd\": \"\"}\\n' '${var.image_type}' '${local.image}' > '${var.output_dir}/../${var.image_type}.json'",
    ]
  }
}
