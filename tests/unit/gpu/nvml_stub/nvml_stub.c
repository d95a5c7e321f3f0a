/*
 * A stand-in libnvidia-ml.so.1 for the tests (a stub, named as one in tests/README.md).
 *
 * The real nvidia-ml-py (pynvml) loads it and calls it exactly as it calls NVIDIA's library: through ctypes,
 * with the C prototypes of nvml.h. Nothing of the Python wrapper is mocked, so a caller that hands pynvml a
 * structure where the C function takes a pointer fails here as it would on a driver.
 *
 * It is a witness, not a mirror: its boards and MIG tables (tables.h) are transcribed from NVIDIA's published
 * documents, independently of plugins/module_utils/_mig_tables.py and _gpu_models.py, which it never reads; a
 * test compares the two. It checks what the C API checks: NULL and unmapped pointers, handles it did not hand
 * out, structure versions of the V calls, the MIG mode a call needs, placements, capacity, instances in use.
 *
 * State is set up and inspected through hswstub_* functions (tests/unit/gpu/nvml_stub.py).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int nvmlReturn_t;
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NO_PERMISSION 4
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_RESET_REQUIRED 16
#define NVML_ERROR_IN_USE 19
#define NVML_ERROR_INSUFFICIENT_RESOURCES 23
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define NVML_ERROR_UNKNOWN 999

#define NVML_DEVICE_MIG_DISABLE 0
#define NVML_DEVICE_MIG_ENABLE 1
#define NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED 0

/* ---- nvml.h structures (layouts as published; pynvml mirrors them) ------------------------------------- */
typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
    unsigned int start, size;
} nvmlGpuInstancePlacement_t;

typedef struct {
    unsigned int id, isP2pSupported, sliceCount, instanceCount, multiprocessorCount, copyEngineCount, decoderCount,
        encoderCount, jpegCount, ofaCount;
    unsigned long long memorySizeMB;
} nvmlGpuInstanceProfileInfo_t;

typedef struct {
    unsigned int version, id, isP2pSupported, sliceCount, instanceCount, multiprocessorCount, copyEngineCount,
        decoderCount, encoderCount, jpegCount, ofaCount;
    unsigned long long memorySizeMB;
    char name[96];
} nvmlGpuInstanceProfileInfo_v2_t;

typedef struct {
    unsigned int id, sliceCount, instanceCount, multiprocessorCount, sharedCopyEngineCount, sharedDecoderCount,
        sharedEncoderCount, sharedJpegCount, sharedOfaCount;
} nvmlComputeInstanceProfileInfo_t;

typedef struct {
    unsigned int version, id, sliceCount, instanceCount, multiprocessorCount, sharedCopyEngineCount,
        sharedDecoderCount, sharedEncoderCount, sharedJpegCount, sharedOfaCount;
    char name[96];
} nvmlComputeInstanceProfileInfo_v2_t;

/* NVML_STRUCT_VERSION(data, ver): sizeof | ver << 24 */
#define GI_PROFILE_INFO_V2 ((unsigned int)(sizeof(nvmlGpuInstanceProfileInfo_v2_t) | (2u << 24)))
#define CI_PROFILE_INFO_V2 ((unsigned int)(sizeof(nvmlComputeInstanceProfileInfo_v2_t) | (2u << 24)))

#include "tables.h"

/* ---- state ---------------------------------------------------------------------------------------------- */
#define MAX_GPUS 8
#define MAX_GIS 8
#define MAX_CIS 8
#define MAX_PROCS 16
#define MAX_PLACES 8

struct gpu;
struct gi;

struct ci {
    int used;
    unsigned int id, profile; /* CI profile id = NVML_COMPUTE_INSTANCE_PROFILE_* */
    struct gi *gi;
};

struct gi {
    int used;
    unsigned int id, start, size;
    const struct gi_profile *profile;
    struct gpu *gpu;
    struct ci cis[MAX_CIS];
};

struct migdev {
    struct gpu *gpu;
    struct gi *gi;
    struct ci *ci;
};

struct gpu {
    int present;
    unsigned int domain, bus, dev, fn;
    const struct board *board;
    const struct mig_family *family; /* NULL: no MIG */
    unsigned int mig_current, mig_pending;
    int reset_unavailable; /* passthrough VM: the driver cannot reset the GPU itself */
    unsigned int pids[MAX_PROCS], npids;
    struct gi gis[MAX_GIS];
    struct migdev migs[MAX_GIS * MAX_CIS];
    unsigned int nmigs;
};

static struct gpu gpus[MAX_GPUS];
static unsigned int ngpus;
static int init_count;
static nvmlReturn_t init_result = NVML_SUCCESS;
static char calls[4096];
static char text[8192];

static void log_call(const char *name)
{
    size_t len = strlen(calls);
    snprintf(calls + len, sizeof(calls) - len, "%s%s", len ? " " : "", name);
}

/* A pointer the caller passes must point at mapped memory: what a driver would dereference. */
static int mapped(const void *ptr, size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start, end;
    unsigned char vec[64];
    if (ptr == NULL)
        return 0;
    start = (uintptr_t)ptr & ~(uintptr_t)(page - 1);
    end = (uintptr_t)ptr + size;
    if ((end - start + page - 1) / page > sizeof(vec))
        return 0;
    return mincore((void *)start, end - start, vec) == 0;
}

#define NEED(ptr) \
    do { \
        if (!mapped((ptr), sizeof(*(ptr)))) \
            return NVML_ERROR_INVALID_ARGUMENT; \
    } while (0)

static struct gpu *as_gpu(const void *handle)
{
    const struct gpu *g = handle;
    if (g < gpus || g >= gpus + ngpus || ((const char *)g - (const char *)gpus) % sizeof(*g) || !g->present)
        return NULL;
    return (struct gpu *)g;
}

static struct migdev *as_migdev(const void *handle)
{
    unsigned int i;
    for (i = 0; i < ngpus; i++) {
        struct gpu *g = &gpus[i];
        const struct migdev *m = handle;
        if (m >= g->migs && m < g->migs + g->nmigs && ((const char *)m - (const char *)g->migs) % sizeof(*m) == 0)
            return (struct migdev *)m;
    }
    return NULL;
}

static struct gi *as_gi(const void *handle)
{
    unsigned int i, j;
    for (i = 0; i < ngpus; i++)
        for (j = 0; j < MAX_GIS; j++)
            if (handle == &gpus[i].gis[j] && gpus[i].gis[j].used)
                return &gpus[i].gis[j];
    return NULL;
}

static struct ci *as_ci(const void *handle)
{
    unsigned int i, j, k;
    for (i = 0; i < ngpus; i++)
        for (j = 0; j < MAX_GIS; j++)
            for (k = 0; k < MAX_CIS; k++)
                if (handle == &gpus[i].gis[j].cis[k] && gpus[i].gis[j].cis[k].used)
                    return &gpus[i].gis[j].cis[k];
    return NULL;
}

/* Placements as NVIDIA prints them ("{0,2,4}:2") -> (start, size) pairs. */
static unsigned int placements(const struct gi_profile *p, nvmlGpuInstancePlacement_t *out)
{
    const char *s = strchr(p->placements, ':');
    unsigned int size = s ? (unsigned int)atoi(s + 1) : 0, n = 0;
    const char *c = p->placements;
    while (c < s && n < MAX_PLACES) {
        if (*c >= '0' && *c <= '9') {
            out[n].start = (unsigned int)strtoul(c, (char **)&c, 10);
            out[n++].size = size;
        } else {
            c++;
        }
    }
    return n;
}

static const struct gi_profile *profile_by_enum(const struct mig_family *f, unsigned int nvml_enum)
{
    unsigned int i;
    for (i = 0; i < f->nprofiles; i++)
        if (f->profiles[i].nvml_enum == nvml_enum)
            return &f->profiles[i];
    return NULL;
}

static const struct gi_profile *profile_by_id(const struct mig_family *f, unsigned int id)
{
    unsigned int i;
    for (i = 0; i < f->nprofiles; i++)
        if (f->profiles[i].id == id)
            return &f->profiles[i];
    return NULL;
}

/* A full GPU with MIG mode on, for the GPU-instance calls. */
static nvmlReturn_t mig_gpu(const void *handle, struct gpu **out, int need_enabled)
{
    struct gpu *g;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    g = as_gpu(handle);
    if (!g)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (!g->family || (need_enabled && !g->mig_current))
        return NVML_ERROR_NOT_SUPPORTED;
    *out = g;
    return NVML_SUCCESS;
}

static void rebuild_migs(struct gpu *g)
{
    unsigned int j, k;
    g->nmigs = 0;
    for (j = 0; j < MAX_GIS; j++)
        for (k = 0; k < MAX_CIS; k++)
            if (g->gis[j].used && g->gis[j].cis[k].used) {
                g->migs[g->nmigs].gpu = g;
                g->migs[g->nmigs].gi = &g->gis[j];
                g->migs[g->nmigs++].ci = &g->gis[j].cis[k];
            }
}

static void clear_instances(struct gpu *g)
{
    memset(g->gis, 0, sizeof(g->gis));
    g->nmigs = 0;
}

/* ---- init ----------------------------------------------------------------------------------------------- */
nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
{
    (void)flags;
    if (init_result != NVML_SUCCESS)
        return init_result;
    init_count++;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) { return nvmlInitWithFlags(0); }

nvmlReturn_t nvmlShutdown(void)
{
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    init_count--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_RESET_REQUIRED: return "GPU requires restart";
    case NVML_ERROR_IN_USE: return "In use by another client";
    case NVML_ERROR_INSUFFICIENT_RESOURCES: return "Insufficient resources";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

/* ---- devices -------------------------------------------------------------------------------------------- */
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    NEED(count);
    *count = ngpus;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device)
{
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    NEED(device);
    if (index >= ngpus)
        return NVML_ERROR_INVALID_ARGUMENT;
    *device = &gpus[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *bus_id, void **device)
{
    unsigned int d = 0, b = 0, s = 0, f = 0, i;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!mapped(bus_id, 1))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(device);
    /* the formats nvml.h lists: domain:bus:device.function, domain:bus:device, bus:device.function */
    if (sscanf(bus_id, "%x:%x:%x.%x", &d, &b, &s, &f) != 4 && sscanf(bus_id, "%x:%x:%x", &d, &b, &s) != 3) {
        d = 0;
        if (sscanf(bus_id, "%x:%x.%x", &b, &s, &f) != 3)
            return NVML_ERROR_INVALID_ARGUMENT;
    }
    for (i = 0; i < ngpus; i++)
        if (gpus[i].domain == d && gpus[i].bus == b && gpus[i].dev == s && gpus[i].fn == f) {
            *device = &gpus[i];
            return NVML_SUCCESS;
        }
    return NVML_ERROR_NOT_FOUND;
}

static nvmlReturn_t copy_text(char *buf, unsigned int length, const char *value)
{
    if (!mapped(buf, length ? length : 1))
        return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(value) + 1 > length)
        return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buf, value);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(void *device, char *name, unsigned int length)
{
    struct gpu *g;
    struct migdev *m;
    char mig_name[96];
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if ((m = as_migdev(device)) != NULL) {
        snprintf(mig_name, sizeof(mig_name), "%s MIG %s", m->gpu->board->name, m->gi->profile->name);
        return copy_text(name, length, mig_name);
    }
    if (!(g = as_gpu(device)))
        return NVML_ERROR_INVALID_ARGUMENT;
    return copy_text(name, length, g->board->name);
}

nvmlReturn_t nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length)
{
    struct gpu *g;
    struct migdev *m;
    char value[96];
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if ((m = as_migdev(device)) != NULL) {
        g = m->gpu;
        snprintf(value, sizeof(value), "MIG-%08x-%04x-4%03x-8%03x-%012x", 0x5eed0000u | (unsigned int)(g - gpus),
                 m->gi->id, m->ci->id, m->gi->start, g->bus);
        return copy_text(uuid, length, value);
    }
    if (!(g = as_gpu(device)))
        return NVML_ERROR_INVALID_ARGUMENT;
    snprintf(value, sizeof(value), "GPU-%08x-%04x-4000-8000-%012x", 0xc0de0000u | (unsigned int)(g - gpus), g->bus,
             g->domain);
    return copy_text(uuid, length, value);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(void *device, nvmlPciInfo_t *pci)
{
    struct gpu *g;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(g = as_gpu(device)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(pci);
    memset(pci, 0, sizeof(*pci));
    snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.%X", g->domain, g->bus, g->dev, g->fn);
    snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.%X", g->domain, g->bus, g->dev, g->fn);
    pci->domain = g->domain;
    pci->bus = g->bus;
    pci->device = g->dev;
    pci->pciDeviceId = (g->board->device_id << 16) | 0x10de;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(void *device, unsigned int *count, nvmlProcessInfo_t *infos)
{
    struct gpu *g;
    struct migdev *m = NULL;
    unsigned int i, n = 0;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(g = as_gpu(device))) {
        if (!(m = as_migdev(device)))
            return NVML_ERROR_INVALID_ARGUMENT;
        g = m->gpu;
    }
    NEED(count);
    /* processes belong to the whole GPU here; a MIG device handle sees none of them */
    n = m ? 0 : g->npids;
    if (n == 0) {
        *count = 0;
        return NVML_SUCCESS;
    }
    if (infos == NULL || *count < n) {
        *count = n;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    if (!mapped(infos, n * sizeof(*infos)))
        return NVML_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < n; i++) {
        infos[i].pid = g->pids[i];
        infos[i].usedGpuMemory = 512ull << 20;
        infos[i].gpuInstanceId = 0xFFFFFFFFu;
        infos[i].computeInstanceId = 0xFFFFFFFFu;
    }
    *count = n;
    return NVML_SUCCESS;
}

/* ---- MIG mode ------------------------------------------------------------------------------------------- */
nvmlReturn_t nvmlDeviceGetMigMode(void *device, unsigned int *current, unsigned int *pending)
{
    struct gpu *g;
    nvmlReturn_t ret = mig_gpu(device, &g, 0);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(current);
    NEED(pending);
    *current = g->mig_current;
    *pending = g->mig_pending;
    return NVML_SUCCESS;
}

/*
 * The mode semantics follow NVIDIA's documents (see MODE_NOTES in tables.h): the driver applies a change by
 * resetting the GPU itself when nothing holds it, and reports the change as pending otherwise (in use), or where
 * it cannot reset the GPU (a passthrough VM: a reset required). Hopper applies an idle GPU's change without that
 * reset; the outcome for the caller is the same.
 */
nvmlReturn_t nvmlDeviceSetMigMode(void *device, unsigned int mode, nvmlReturn_t *activation_status)
{
    struct gpu *g;
    unsigned int j;
    nvmlReturn_t ret = mig_gpu(device, &g, 0);
    if (ret != NVML_SUCCESS)
        return ret;
    if (mode != NVML_DEVICE_MIG_DISABLE && mode != NVML_DEVICE_MIG_ENABLE)
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(activation_status);
    for (j = 0; j < MAX_GIS; j++)
        if (g->gis[j].used)
            return NVML_ERROR_IN_USE; /* instances must be destroyed first */
    log_call("SetMigMode");
    g->mig_pending = mode;
    if (g->mig_current == mode) {
        *activation_status = NVML_SUCCESS;
    } else if (g->npids) {
        *activation_status = NVML_ERROR_IN_USE;
    } else if (g->reset_unavailable) {
        *activation_status = NVML_ERROR_RESET_REQUIRED;
    } else {
        g->mig_current = mode;
        *activation_status = NVML_SUCCESS;
    }
    return NVML_SUCCESS;
}

/* ---- GPU instances -------------------------------------------------------------------------------------- */
static void fill_gi_info(const struct gpu *g, const struct gi_profile *p, unsigned int *id, unsigned int *slices,
                         unsigned int *count, unsigned int *sms, unsigned int *ce, unsigned int *dec,
                         unsigned int *jpg, unsigned int *ofa, unsigned long long *mem)
{
    (void)g;
    *id = p->id;
    *slices = p->compute_slices;
    *count = p->max_instances;
    *sms = p->sms;
    *ce = p->copy_engines;
    *dec = p->decoders;
    *jpg = p->jpegs;
    *ofa = p->ofas;
    *mem = p->memory_mib;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoV(void *device, unsigned int profile,
                                                 nvmlGpuInstanceProfileInfo_v2_t *info)
{
    struct gpu *g;
    const struct gi_profile *p;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(info);
    if (info->version != GI_PROFILE_INFO_V2)
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (!(p = profile_by_enum(g->family, profile)))
        return profile < 32 ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    memset((char *)info + sizeof(info->version), 0, sizeof(*info) - sizeof(info->version));
    fill_gi_info(g, p, &info->id, &info->sliceCount, &info->instanceCount, &info->multiprocessorCount,
                 &info->copyEngineCount, &info->decoderCount, &info->jpegCount, &info->ofaCount, &info->memorySizeMB);
    snprintf(info->name, sizeof(info->name), "MIG %s", p->name);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfoByIdV(void *device, unsigned int profile_id,
                                                     nvmlGpuInstanceProfileInfo_v2_t *info)
{
    struct gpu *g;
    const struct gi_profile *p;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(info);
    if (info->version != GI_PROFILE_INFO_V2)
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (!(p = profile_by_id(g->family, profile_id)))
        return NVML_ERROR_INVALID_ARGUMENT;
    return nvmlDeviceGetGpuInstanceProfileInfoV(device, p->nvml_enum, info);
}

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(void *device, unsigned int profile,
                                                nvmlGpuInstanceProfileInfo_t *info)
{
    struct gpu *g;
    const struct gi_profile *p;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(info);
    if (!(p = profile_by_enum(g->family, profile)))
        return profile < 32 ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    memset(info, 0, sizeof(*info));
    fill_gi_info(g, p, &info->id, &info->sliceCount, &info->instanceCount, &info->multiprocessorCount,
                 &info->copyEngineCount, &info->decoderCount, &info->jpegCount, &info->ofaCount, &info->memorySizeMB);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements_v2(void *device, unsigned int profile_id,
                                                          nvmlGpuInstancePlacement_t *out, unsigned int *count)
{
    struct gpu *g;
    const struct gi_profile *p;
    nvmlGpuInstancePlacement_t places[MAX_PLACES];
    unsigned int n;
    /* nvml.h: "all the possible placements for the given profile regardless of whether MIG is enabled or not" */
    nvmlReturn_t ret = mig_gpu(device, &g, 0);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(count);
    if (!(p = profile_by_id(g->family, profile_id)))
        return NVML_ERROR_INVALID_ARGUMENT;
    n = placements(p, places);
    *count = n;
    if (out == NULL) /* NULL asks for the count */
        return NVML_SUCCESS;
    if (!mapped(out, n * sizeof(*out)))
        return NVML_ERROR_INVALID_ARGUMENT;
    memcpy(out, places, n * sizeof(*out));
    return NVML_SUCCESS;
}

static unsigned int gi_count(const struct gpu *g, const struct gi_profile *p, unsigned int *compute,
                             unsigned char used[8])
{
    unsigned int j, s, same = 0;
    *compute = 0;
    memset(used, 0, 8);
    for (j = 0; j < MAX_GIS; j++) {
        const struct gi *gi = &g->gis[j];
        if (!gi->used)
            continue;
        *compute += gi->profile->compute_slices;
        for (s = gi->start; s < gi->start + gi->size && s < 8; s++)
            used[s] = 1;
        same += gi->profile == p;
    }
    return same;
}

nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(void *device, unsigned int profile_id,
                                                     const nvmlGpuInstancePlacement_t *placement, void **out)
{
    struct gpu *g;
    const struct gi_profile *p;
    nvmlGpuInstancePlacement_t places[MAX_PLACES];
    unsigned int n, i, j, s, compute, free_slot = MAX_GIS, id;
    unsigned char used[8];
    int valid = 0;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(placement); /* a structure passed by value lands here as a wild pointer */
    NEED(out);
    if (!(p = profile_by_id(g->family, profile_id)))
        return NVML_ERROR_INVALID_ARGUMENT;
    n = placements(p, places);
    for (i = 0; i < n; i++)
        valid |= places[i].start == placement->start && places[i].size == placement->size;
    if (!valid)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (gi_count(g, p, &compute, used) >= p->max_instances || compute + p->compute_slices > g->family->compute_slices)
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    for (s = placement->start; s < placement->start + placement->size; s++)
        if (used[s])
            return NVML_ERROR_INSUFFICIENT_RESOURCES;
    for (id = 1;; id++) { /* lowest free GPU instance id */
        int taken = 0;
        for (j = 0; j < MAX_GIS; j++)
            taken |= g->gis[j].used && g->gis[j].id == id;
        if (!taken)
            break;
    }
    for (j = 0; j < MAX_GIS && free_slot == MAX_GIS; j++)
        if (!g->gis[j].used)
            free_slot = j;
    if (free_slot == MAX_GIS)
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    log_call("CreateGpuInstance");
    memset(&g->gis[free_slot], 0, sizeof(g->gis[free_slot]));
    g->gis[free_slot].used = 1;
    g->gis[free_slot].id = id;
    g->gis[free_slot].start = placement->start;
    g->gis[free_slot].size = placement->size;
    g->gis[free_slot].profile = p;
    g->gis[free_slot].gpu = g;
    *out = &g->gis[free_slot];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstances(void *device, unsigned int profile_id, void **out, unsigned int *count)
{
    struct gpu *g;
    const struct gi_profile *p;
    unsigned int j, n = 0;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(count);
    if (!(p = profile_by_id(g->family, profile_id)))
        return NVML_ERROR_INVALID_ARGUMENT;
    /* "the buffer must be large enough to accommodate the instances supported by the profile" */
    if (!mapped(out, p->max_instances * sizeof(*out)))
        return NVML_ERROR_INVALID_ARGUMENT;
    for (j = 0; j < MAX_GIS; j++)
        if (g->gis[j].used && g->gis[j].profile == p)
            out[n++] = &g->gis[j];
    *count = n;
    return NVML_SUCCESS;
}

typedef struct {
    void *device;
    unsigned int id, profileId;
    nvmlGpuInstancePlacement_t placement;
} nvmlGpuInstanceInfo_t;

nvmlReturn_t nvmlGpuInstanceGetInfo(void *gpu_instance, nvmlGpuInstanceInfo_t *info)
{
    struct gi *gi;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(gi = as_gi(gpu_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(info);
    info->device = gi->gpu;
    info->id = gi->id;
    info->profileId = gi->profile->id;
    info->placement.start = gi->start;
    info->placement.size = gi->size;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceDestroy(void *gpu_instance)
{
    struct gi *gi;
    struct gpu *g;
    unsigned int k;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(gi = as_gi(gpu_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    for (k = 0; k < MAX_CIS; k++)
        if (gi->cis[k].used)
            return NVML_ERROR_IN_USE; /* compute instances first */
    log_call("DestroyGpuInstance");
    g = gi->gpu;
    memset(gi, 0, sizeof(*gi));
    rebuild_migs(g);
    return NVML_SUCCESS;
}

/* ---- compute instances ---------------------------------------------------------------------------------- */
/* NVML_COMPUTE_INSTANCE_PROFILE_{1,2,3,4,7,8,6}_SLICE, 1_SLICE_REV1 = 0..7: the compute slices of each */
static const unsigned int ci_slices[] = {1, 2, 3, 4, 7, 8, 6, 1};

/* The compute instances a GPU instance offers (`nvidia-smi mig -lcip`): 1g: 1c; 2g: 1c 2c; 3g: 1c 2c 3c;
   4g: 1c 2c 4c; 7g: 1c 2c 3c 4c 7c. 1_SLICE_REV1 on a one-slice instance: seen on GH200 (1g.24gb, "-C" made
   "MIG 1g.24gb (ID 7)"); whether every driver offers it there is not documented. */
static nvmlReturn_t ci_profile(const struct gi *gi, unsigned int profile, unsigned int eng, unsigned int *slices)
{
    unsigned int n = gi->profile->compute_slices;
    if (profile >= sizeof(ci_slices) / sizeof(ci_slices[0]) || eng != NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED)
        return profile < 16 && eng == 0 ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    *slices = ci_slices[profile];
    if (*slices > n || (*slices == 3 && n == 4) || (profile == 7 && n != 1) || profile == 5 || profile == 6)
        return NVML_ERROR_NOT_SUPPORTED;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfoV(void *gpu_instance, unsigned int profile,
                                                          unsigned int eng_profile,
                                                          nvmlComputeInstanceProfileInfo_v2_t *info)
{
    struct gi *gi;
    unsigned int slices;
    nvmlReturn_t ret;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(gi = as_gi(gpu_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(info);
    if (info->version != CI_PROFILE_INFO_V2)
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if ((ret = ci_profile(gi, profile, eng_profile, &slices)) != NVML_SUCCESS)
        return ret;
    memset((char *)info + sizeof(info->version), 0, sizeof(*info) - sizeof(info->version));
    info->id = profile;
    info->sliceCount = slices;
    info->instanceCount = gi->profile->compute_slices / slices;
    info->multiprocessorCount = gi->profile->sms * slices / gi->profile->compute_slices;
    snprintf(info->name, sizeof(info->name), "MIG %uc.%s", slices, gi->profile->name);
    return NVML_SUCCESS;
}

/* The first version of the call: the same answer as the V call, without version and name. */
nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(void *gpu_instance, unsigned int profile,
                                                         unsigned int eng_profile,
                                                         nvmlComputeInstanceProfileInfo_t *info)
{
    nvmlComputeInstanceProfileInfo_v2_t v2;
    nvmlReturn_t ret;
    v2.version = CI_PROFILE_INFO_V2;
    if ((ret = nvmlGpuInstanceGetComputeInstanceProfileInfoV(gpu_instance, profile, eng_profile, &v2)) != NVML_SUCCESS)
        return ret;
    NEED(info);
    memset(info, 0, sizeof(*info));
    info->id = v2.id;
    info->sliceCount = v2.sliceCount;
    info->instanceCount = v2.instanceCount;
    info->multiprocessorCount = v2.multiprocessorCount;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(void *gpu_instance, unsigned int profile_id, void **out)
{
    struct gi *gi;
    unsigned int slices, k, used = 0, free_slot = MAX_CIS;
    nvmlReturn_t ret;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(gi = as_gi(gpu_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(out);
    if ((ret = ci_profile(gi, profile_id, 0, &slices)) != NVML_SUCCESS)
        return ret == NVML_ERROR_NOT_SUPPORTED ? NVML_ERROR_INVALID_ARGUMENT : ret;
    for (k = 0; k < MAX_CIS; k++) {
        if (gi->cis[k].used)
            used += ci_slices[gi->cis[k].profile];
        else if (free_slot == MAX_CIS)
            free_slot = k;
    }
    if (used + slices > gi->profile->compute_slices || free_slot == MAX_CIS)
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    log_call("CreateComputeInstance");
    gi->cis[free_slot].used = 1;
    gi->cis[free_slot].id = free_slot;
    gi->cis[free_slot].profile = profile_id;
    gi->cis[free_slot].gi = gi;
    rebuild_migs(gi->gpu);
    *out = &gi->cis[free_slot];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstances(void *gpu_instance, unsigned int profile_id, void **out,
                                               unsigned int *count)
{
    struct gi *gi;
    unsigned int slices, k, n = 0;
    nvmlReturn_t ret;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(gi = as_gi(gpu_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(count);
    if ((ret = ci_profile(gi, profile_id, 0, &slices)) != NVML_SUCCESS)
        return ret == NVML_ERROR_NOT_SUPPORTED ? NVML_ERROR_INVALID_ARGUMENT : ret;
    if (!mapped(out, (gi->profile->compute_slices / slices) * sizeof(*out)))
        return NVML_ERROR_INVALID_ARGUMENT;
    for (k = 0; k < MAX_CIS; k++)
        if (gi->cis[k].used && gi->cis[k].profile == profile_id)
            out[n++] = &gi->cis[k];
    *count = n;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlComputeInstanceDestroy(void *compute_instance)
{
    struct ci *ci;
    struct gpu *g;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(ci = as_ci(compute_instance)))
        return NVML_ERROR_INVALID_ARGUMENT;
    g = ci->gi->gpu;
    if (g->npids)
        return NVML_ERROR_IN_USE;
    log_call("DestroyComputeInstance");
    memset(ci, 0, sizeof(*ci));
    rebuild_migs(g);
    return NVML_SUCCESS;
}

/* ---- MIG devices ---------------------------------------------------------------------------------------- */
nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(void *device, unsigned int *count)
{
    struct gpu *g;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(g = as_gpu(device)))
        return NVML_ERROR_INVALID_ARGUMENT;
    NEED(count);
    *count = g->family ? g->family->compute_slices : 0;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(void *device, unsigned int index, void **mig)
{
    struct gpu *g;
    nvmlReturn_t ret = mig_gpu(device, &g, 1);
    if (ret != NVML_SUCCESS)
        return ret;
    NEED(mig);
    if (index >= g->nmigs)
        return NVML_ERROR_NOT_FOUND;
    *mig = &g->migs[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(void *device, unsigned int *id)
{
    struct migdev *m;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(m = as_migdev(device)))
        return as_gpu(device) ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    NEED(id);
    *id = m->gi->id;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(void *device, unsigned int *id)
{
    struct migdev *m;
    if (!init_count)
        return NVML_ERROR_UNINITIALIZED;
    if (!(m = as_migdev(device)))
        return as_gpu(device) ? NVML_ERROR_NOT_SUPPORTED : NVML_ERROR_INVALID_ARGUMENT;
    NEED(id);
    *id = m->ci->id;
    return NVML_SUCCESS;
}

/* ---- the tests' side: set up, act as the host would, inspect -------------------------------------------- */
void hswstub_clear(void)
{
    memset(gpus, 0, sizeof(gpus));
    ngpus = 0;
    init_count = 0;
    init_result = NVML_SUCCESS;
    calls[0] = 0;
}

void hswstub_set_init_result(int result) { init_result = result; }

/* -> the GPU's index, -1 for a device id the stub's board table lacks, -2 for a bad address */
int hswstub_add_gpu(const char *pci_address, unsigned int device_id, unsigned int mig_current,
                    unsigned int mig_pending)
{
    struct gpu *g;
    unsigned int i;
    if (ngpus >= MAX_GPUS)
        return -2;
    g = &gpus[ngpus];
    memset(g, 0, sizeof(*g));
    if (sscanf(pci_address, "%x:%x:%x.%x", &g->domain, &g->bus, &g->dev, &g->fn) != 4)
        return -2;
    for (i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
        if (boards[i].device_id == device_id)
            g->board = &boards[i];
    if (!g->board)
        return -1;
    g->family = g->board->family;
    g->mig_current = g->family ? mig_current : 0;
    g->mig_pending = g->family ? mig_pending : 0;
    g->present = 1;
    return (int)ngpus++;
}

int hswstub_add_process(int index, unsigned int pid)
{
    if (index < 0 || (unsigned int)index >= ngpus || gpus[index].npids >= MAX_PROCS)
        return -1;
    gpus[index].pids[gpus[index].npids++] = pid;
    return 0;
}

int hswstub_clear_processes(int index)
{
    if (index < 0 || (unsigned int)index >= ngpus)
        return -1;
    gpus[index].npids = 0;
    return 0;
}

int hswstub_set_reset_unavailable(int index, int value)
{
    if (index < 0 || (unsigned int)index >= ngpus)
        return -1;
    gpus[index].reset_unavailable = value;
    return 0;
}

/* nvidia-smi --gpu-reset (or a VM's reboot): a pending mode takes effect, every instance goes */
int hswstub_gpu_reset(int index)
{
    if (index < 0 || (unsigned int)index >= ngpus || gpus[index].npids)
        return -1;
    gpus[index].mig_current = gpus[index].mig_pending;
    clear_instances(&gpus[index]);
    return 0;
}

/* NVML calls that changed something, space-separated, in order */
const char *hswstub_calls(void) { return calls; }
void hswstub_clear_calls(void) { calls[0] = 0; }

/* "mig=C/P gi=ID:PROFILE:START:SIZE:CIS ..." with CIS the compute-instance profile ids joined by '+' */
const char *hswstub_state(int index)
{
    struct gpu *g;
    unsigned int j, k;
    size_t len;
    if (index < 0 || (unsigned int)index >= ngpus)
        return "";
    g = &gpus[index];
    len = (size_t)snprintf(text, sizeof(text), "mig=%u/%u", g->mig_current, g->mig_pending);
    for (j = 0; j < MAX_GIS; j++) {
        const struct gi *gi = &g->gis[j];
        if (!gi->used)
            continue;
        len += (size_t)snprintf(text + len, sizeof(text) - len, " gi=%u:%s:%u:%u:", gi->id, gi->profile->name,
                                gi->start, gi->size);
        for (k = 0; k < MAX_CIS; k++)
            if (gi->cis[k].used)
                len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%u",
                                        text[len - 1] == ':' ? "" : "+", gi->cis[k].profile);
    }
    return text;
}

/* The stub's own tables as lines, for the test that compares them with _mig_tables and _gpu_models:
   "board DEVICE_ID|NAME|FAMILY" and "profile FAMILY|NAME|ENUM|ID|SLICES|MEMSLICES|MAX|MEMMIB|PLACEMENTS" */
const char *hswstub_tables(void)
{
    unsigned int i, j;
    size_t len = 0;
    static char out[65536];
    out[0] = 0;
    for (i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "board %04x|%s|%s\n", boards[i].device_id,
                                boards[i].name, boards[i].family ? boards[i].family->key : "");
    for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        for (j = 0; j < families[i]->nprofiles; j++) {
            const struct gi_profile *p = &families[i]->profiles[j];
            len += (size_t)snprintf(out + len, sizeof(out) - len, "profile %s|%s|%u|%u|%u|%u|%u|%llu|%s\n",
                                    families[i]->key, p->name, p->nvml_enum, p->id, p->compute_slices,
                                    p->memory_slices, p->max_instances, p->memory_mib, p->placements);
        }
    return out;
}
