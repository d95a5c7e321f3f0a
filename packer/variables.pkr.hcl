# Inputs of the packer backend (images.backend: packer in cluster.yaml). The role image_builder passes
# image_type, output_dir and role_dir; the rest have defaults.

variable "image_type" {
  type        = string
  description = "hpc-controller, hpc-compute or cloud-node."
  validation {
    condition     = contains(["hpc-controller", "hpc-compute", "cloud-node"], var.image_type)
    error_message = "The image_type must be hpc-controller, hpc-compute or cloud-node."
  }
}

variable "output_dir" {
  type        = string
  default     = "/var/lib/hyperscaler/images/packer"
  description = "Where the qcow2 images are written (one subdirectory per type while building)."
}

variable "role_dir" {
  type        = string
  default     = "../roles/image_builder"
  description = "The image_builder role's directory: its defaults list the packages of each image type."
}

variable "base_image_url" {
  type        = string
  default     = "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2"
  description = "Upstream Debian cloud image."
}

variable "base_image_checksum" {
  type        = string
  default     = "file:https://cloud.debian.org/images/cloud/trixie/latest/SHA512SUMS"
  description = "Checksum of the upstream image (a file: URL to the published sums by default)."
}

variable "accelerator" {
  type        = string
  default     = "kvm"
  description = "kvm, or tcg where KVM guests cannot run."
}

variable "disk_size" {
  type        = string
  default     = "4G"
  description = "Virtual size of the built image (VM overlays grow it to disk_gb)."
}

variable "memory" {
  type        = number
  default     = 1536
  description = "Build VM memory in MiB."
}

variable "cpus" {
  type        = number
  default     = 2
  description = "Build VM vCPUs."
}

variable "ssh_timeout" {
  type        = string
  default     = "20m"
  description = "How long to wait for the build VM's SSH (long under TCG)."
}

variable "ssh_private_key_file" {
  type        = string
  default     = "/var/lib/hyperscaler/images/packer/build_key"
  description = "Private half of the throw-away build key (the role runs ssh-keygen -t ed25519 -N '' -f FILE)."
}

variable "seed_dir" {
  type        = string
  default     = "/var/lib/hyperscaler/images/packer/seed"
  description = "Directory with the build VM's cloud-init user-data and meta-data (written by the image_builder role)."
}
