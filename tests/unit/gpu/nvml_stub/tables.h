/*
 * The stub's own boards and MIG tables, transcribed from NVIDIA's documents and from what NVIDIA's tools print
 * on these boards, never from the collection's tables (a test compares the two). Sources:
 *
 *   [MUG-SP]  MIG User Guide, "Supported MIG Profiles" (docs.nvidia.com/datacenter/tesla/mig-user-guide/
 *             supported-mig-profiles.html): profile names, instance counts, slices.
 *   [MUG-GS]  MIG User Guide, "Getting Started with MIG": the A100-SXM4-40GB `nvidia-smi mig -lgip/-lgipp`
 *             listing, and the mode semantics in MODE_NOTES below.
 *   [LGIP]    `nvidia-smi mig -lgip` / `-lgipp` captures posted for each board (recent drivers): A100 80GB PCIe
 *             (R515, Azure NC A100 v4), A30 (three captures), H100 80GB HBM3 (stackhpc ansible-slurm-appliance
 *             docs/mig.md and another capture), H100 NVL (R560, Azure NC H100 v5), GH200 96GB, GH200 144GB
 *             (NVIDIA/mig-parted PR #139), H200 (NVIDIA/mig-parted issue #120).
 *   [PCIIDS]  pci.ids 2026.10.24 (device ids); NVIDIA's supported-gpus.json (the names NVML reports).
 *
 * memory_mib is nvmlGpuInstanceProfileInfo_t.memorySizeMB; nvidia-smi prints it / 1024 with %.2f, which is how
 * these values were read back from the captures (each an exact multiple of 128 MiB on A100 and Hopper, 64 MiB on
 * A30). The values move a little between driver branches (H100 80GB 1g.10gb: 9.62 GiB on R525, 9.75 GiB later);
 * the stub is one driver, the newest capture. Inferred, not read: A100 80GB 1g.20gb (absent from the R515
 * capture: 2g.20gb's size), GH200 144GB 3g/4g/7g (the capture stops at 2g: H100's proportions), placements of
 * GH200 and H200 (H100's, which every Hopper table in [MUG-SP] shares).
 *
 * MODE_NOTES (nvml.h 13.5 nvmlDeviceSetMigMode; [MUG-GS] "Enable MIG Mode" and "GPU Reset on Hopper+ GPUs"):
 *   - the call returns SUCCESS; the outcome is in *activationStatus: SUCCESS when the mode took effect,
 *     NVML_ERROR_IN_USE when the GPU could not be reset because something holds it (the mode stays pending;
 *     "the caller is expected to idle the device and retry"), NVML_ERROR_RESET_REQUIRED where the platform does
 *     not expose a reset (a passthrough VM: reboot it);
 *   - Ampere (A100, A30): "the driver will attempt to reset the GPU so that MIG mode can take effect"; the mode
 *     is "persistent across system reboots (there is a status bit stored in the GPU InfoROM)";
 *   - Hopper and later: "enabling MIG mode no longer requires a GPU reset"; the mode "is only persistent as long
 *     as the driver is resident ... no longer persistent across system reboots": a reboot (or driver reload)
 *     leaves MIG disabled;
 *   - GPU and compute instances never survive a GPU reset or a reboot.
 *   Not documented, chosen here: Hopper with processes on the GPU also leaves the change pending (IN_USE).
 */

struct gi_profile {
    const char *name;
    unsigned int nvml_enum;      /* NVML_GPU_INSTANCE_PROFILE_* */
    unsigned int id;             /* what nvidia-smi prints in the ID column; the placement/create argument */
    unsigned int compute_slices; /* sliceCount */
    unsigned int memory_slices;  /* the size of each placement */
    unsigned int max_instances;  /* instanceCount on an empty GPU */
    unsigned long long memory_mib;
    unsigned int sms, copy_engines, decoders, jpegs, ofas;
    const char *placements; /* as `nvidia-smi mig -lgipp` prints them */
};

struct mig_family {
    const char *key;
    const char *architecture;
    unsigned int compute_slices, memory_slices;
    const struct gi_profile *profiles;
    unsigned int nprofiles;
};

struct board {
    unsigned int device_id;
    const char *name; /* nvmlDeviceGetName on the board's usual subsystem */
    const struct mig_family *family;
};

#define ROWS(x) x, (unsigned int)(sizeof(x) / sizeof((x)[0]))

/* enums: 1_SLICE 0, 2_SLICE 1, 3_SLICE 2, 4_SLICE 3, 7_SLICE 4, 1_SLICE_REV1 7 (+me), 2_SLICE_REV1 8, 1_SLICE_REV2 9 */
static const struct gi_profile a100_40[] = {
    {"1g.5gb", 0, 19, 1, 1, 7, 4864, 14, 1, 0, 0, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.5gb+me", 7, 20, 1, 1, 1, 4864, 14, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.10gb", 9, 15, 1, 2, 4, 9856, 14, 1, 1, 0, 0, "{0,2,4,6}:2"},
    {"2g.10gb", 1, 14, 2, 2, 3, 9856, 28, 2, 1, 0, 0, "{0,2,4}:2"},
    {"3g.20gb", 2, 9, 3, 4, 2, 19968, 42, 3, 2, 0, 0, "{0,4}:4"},
    {"4g.20gb", 3, 5, 4, 4, 1, 19968, 56, 4, 2, 0, 0, "{0}:4"},
    {"7g.40gb", 4, 0, 7, 8, 1, 40192, 98, 7, 5, 1, 1, "{0}:8"},
};

static const struct gi_profile a100_80[] = {
    {"1g.10gb", 0, 19, 1, 1, 7, 9728, 14, 1, 0, 0, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.10gb+me", 7, 20, 1, 1, 1, 9728, 14, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.20gb", 9, 15, 1, 2, 4, 19968, 14, 1, 1, 0, 0, "{0,2,4,6}:2"},
    {"2g.20gb", 1, 14, 2, 2, 3, 19968, 28, 2, 1, 0, 0, "{0,2,4}:2"},
    {"3g.40gb", 2, 9, 3, 4, 2, 40192, 42, 3, 2, 0, 0, "{0,4}:4"},
    {"4g.40gb", 3, 5, 4, 4, 1, 40192, 56, 4, 2, 0, 0, "{0}:4"},
    {"7g.80gb", 4, 0, 7, 8, 1, 80896, 98, 7, 5, 1, 1, "{0}:8"},
};

/* A30: four slices of each kind, and profile ids of its own */
static const struct gi_profile a30_24[] = {
    {"1g.6gb", 0, 14, 1, 1, 4, 5952, 14, 1, 1, 0, 0, "{0,1,2,3}:1"},
    {"1g.6gb+me", 7, 21, 1, 1, 1, 5952, 14, 1, 1, 1, 1, "{0,1,2,3}:1"},
    {"2g.12gb", 1, 5, 2, 2, 2, 11968, 28, 2, 2, 0, 0, "{0,2}:2"},
    {"2g.12gb+me", 8, 6, 2, 2, 1, 11968, 28, 2, 2, 1, 1, "{0,2}:2"},
    {"4g.24gb", 3, 0, 4, 4, 1, 24064, 56, 4, 4, 1, 1, "{0}:4"},
};

static const struct gi_profile h100_80[] = {
    {"1g.10gb", 0, 19, 1, 1, 7, 9984, 16, 1, 1, 1, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.10gb+me", 7, 20, 1, 1, 1, 9984, 16, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.20gb", 9, 15, 1, 2, 4, 20096, 26, 1, 1, 1, 0, "{0,2,4,6}:2"},
    {"2g.20gb", 1, 14, 2, 2, 3, 20096, 32, 2, 2, 2, 0, "{0,2,4}:2"},
    {"3g.40gb", 2, 9, 3, 4, 2, 40448, 60, 3, 3, 3, 0, "{0,4}:4"},
    {"4g.40gb", 3, 5, 4, 4, 1, 40448, 64, 4, 4, 4, 0, "{0}:4"},
    {"7g.80gb", 4, 0, 7, 8, 1, 81152, 132, 8, 7, 7, 1, "{0}:8"},
};

static const struct gi_profile h100_94[] = {
    {"1g.12gb", 0, 19, 1, 1, 7, 11008, 16, 1, 1, 1, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.12gb+me", 7, 20, 1, 1, 1, 11008, 16, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.24gb", 9, 15, 1, 2, 4, 22144, 26, 1, 1, 1, 0, "{0,2,4,6}:2"},
    {"2g.24gb", 1, 14, 2, 2, 3, 22144, 32, 2, 2, 2, 0, "{0,2,4}:2"},
    {"3g.47gb", 2, 9, 3, 4, 2, 47488, 60, 3, 3, 3, 0, "{0,4}:4"},
    {"4g.47gb", 3, 5, 4, 4, 1, 47488, 64, 4, 4, 4, 0, "{0}:4"},
    {"7g.94gb", 4, 0, 7, 8, 1, 95360, 132, 8, 7, 7, 1, "{0}:8"},
};

static const struct gi_profile gh200_96[] = {
    {"1g.12gb", 0, 19, 1, 1, 7, 11264, 16, 1, 1, 1, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.12gb+me", 7, 20, 1, 1, 1, 11264, 16, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.24gb", 9, 15, 1, 2, 4, 23552, 26, 1, 1, 1, 0, "{0,2,4,6}:2"},
    {"2g.24gb", 1, 14, 2, 2, 3, 23552, 32, 2, 2, 2, 0, "{0,2,4}:2"},
    {"3g.48gb", 2, 9, 3, 4, 2, 47616, 60, 3, 3, 3, 0, "{0,4}:4"},
    {"4g.48gb", 3, 5, 4, 4, 1, 47616, 64, 4, 4, 4, 0, "{0}:4"},
    {"7g.96gb", 4, 0, 7, 8, 1, 95232, 132, 8, 7, 7, 1, "{0}:8"},
};

static const struct gi_profile gh200_144[] = {
    {"1g.18gb", 0, 19, 1, 1, 7, 17920, 16, 1, 1, 1, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.18gb+me", 7, 20, 1, 1, 1, 17920, 16, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.36gb", 9, 15, 1, 2, 4, 36096, 26, 1, 1, 1, 0, "{0,2,4,6}:2"},
    {"2g.36gb", 1, 14, 2, 2, 3, 36096, 32, 2, 2, 2, 0, "{0,2,4}:2"},
    {"3g.72gb", 2, 9, 3, 4, 2, 72192, 60, 3, 3, 3, 0, "{0,4}:4"},
    {"4g.72gb", 3, 5, 4, 4, 1, 72192, 64, 4, 4, 4, 0, "{0}:4"},
    {"7g.144gb", 4, 0, 7, 8, 1, 144384, 132, 8, 7, 7, 1, "{0}:8"},
};

static const struct gi_profile h200_141[] = {
    {"1g.18gb", 0, 19, 1, 1, 7, 16384, 16, 1, 1, 1, 0, "{0,1,2,3,4,5,6}:1"},
    {"1g.18gb+me", 7, 20, 1, 1, 1, 16384, 16, 1, 1, 1, 1, "{0,1,2,3,4,5,6}:1"},
    {"1g.35gb", 9, 15, 1, 2, 4, 33024, 26, 1, 1, 1, 0, "{0,2,4,6}:2"},
    {"2g.35gb", 1, 14, 2, 2, 3, 33024, 32, 2, 2, 2, 0, "{0,2,4}:2"},
    {"3g.71gb", 2, 9, 3, 4, 2, 71168, 60, 3, 3, 3, 0, "{0,4}:4"},
    {"4g.71gb", 3, 5, 4, 4, 1, 71168, 64, 4, 4, 4, 0, "{0}:4"},
    {"7g.141gb", 4, 0, 7, 8, 1, 143104, 132, 8, 7, 7, 1, "{0}:8"},
};

static const struct mig_family fam_a100_40 = {"A100-40GB", "ampere", 7, 8, ROWS(a100_40)};
static const struct mig_family fam_a100_80 = {"A100-80GB", "ampere", 7, 8, ROWS(a100_80)};
static const struct mig_family fam_a30 = {"A30-24GB", "ampere", 4, 4, ROWS(a30_24)};
static const struct mig_family fam_h100_80 = {"H100-80GB", "hopper", 7, 8, ROWS(h100_80)};
static const struct mig_family fam_h100_94 = {"H100-94GB", "hopper", 7, 8, ROWS(h100_94)};
static const struct mig_family fam_gh200_96 = {"GH200-96GB", "hopper", 7, 8, ROWS(gh200_96)};
static const struct mig_family fam_gh200_144 = {"GH200-144GB", "hopper", 7, 8, ROWS(gh200_144)};
static const struct mig_family fam_h200 = {"H200-141GB", "hopper", 7, 8, ROWS(h200_141)};

static const struct mig_family *const families[] = {
    &fam_a100_40, &fam_a100_80, &fam_a30, &fam_h100_80, &fam_h100_94, &fam_gh200_96, &fam_gh200_144, &fam_h200,
};

/* [PCIIDS]; NULL family: no MIG, or a MIG board whose tables no source gives (A100-SXM-64GB) */
static const struct board boards[] = {
    {0x20b0, "NVIDIA A100-SXM4-40GB", &fam_a100_40},
    {0x20b1, "NVIDIA A100-PCIE-40GB", &fam_a100_40},
    {0x20f1, "NVIDIA A100-PCIE-40GB", &fam_a100_40},
    {0x20bd, "NVIDIA A800-SXM4-40GB", &fam_a100_40},
    {0x20f6, "NVIDIA A800 40GB Active", &fam_a100_40},
    {0x20b2, "NVIDIA A100-SXM4-80GB", &fam_a100_80},
    {0x20b5, "NVIDIA A100 80GB PCIe", &fam_a100_80},
    {0x20f3, "NVIDIA A800-SXM4-80GB", &fam_a100_80},
    {0x20f5, "NVIDIA A800 80GB PCIe", &fam_a100_80},
    {0x20b3, "NVIDIA A100-SXM-64GB", NULL},
    {0x20b7, "NVIDIA A30", &fam_a30},
    {0x2330, "NVIDIA H100 80GB HBM3", &fam_h100_80},
    {0x2331, "NVIDIA H100 PCIe", &fam_h100_80},
    {0x2322, "NVIDIA H800 PCIe", &fam_h100_80},
    {0x2324, "NVIDIA H800", &fam_h100_80},
    {0x2321, "NVIDIA H100 NVL", &fam_h100_94},
    {0x233a, "NVIDIA H800 NVL", &fam_h100_94},
    {0x2342, "NVIDIA GH200 120GB", &fam_gh200_96},
    {0x2348, "NVIDIA GH200 144G HBM3e", &fam_gh200_144},
    {0x2335, "NVIDIA H200", &fam_h200},
    {0x233b, "NVIDIA H200 NVL", &fam_h200},
    {0x2235, "NVIDIA A40", NULL},
    {0x2236, "NVIDIA A10", NULL},
    {0x1eb8, "Tesla T4", NULL},
    {0x27b8, "NVIDIA L4", NULL},
    {0x26b9, "NVIDIA L40S", NULL},
    {0x26b5, "NVIDIA L40", NULL},
    {0x26b1, "NVIDIA RTX 6000 Ada Generation", NULL},
    {0x2230, "NVIDIA RTX A6000", NULL},
    {0x2684, "NVIDIA GeForce RTX 4090", NULL},
    {0x2204, "NVIDIA GeForce RTX 3090", NULL},
    {0x1e02, "NVIDIA TITAN RTX", NULL},
};
