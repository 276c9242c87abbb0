#include "sundial_crc32c.h"

#include <string.h>

#if defined(__x86_64__)

int sundial_crc32c_hardware(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

// One dependent `crc32` per 8 bytes (3 cycles latency): ~8 GB/s at 3 GHz, against ~2 GB/s for
// slicing-by-8 tables.
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);  // unaligned load, little-endian as the reflected CRC wants
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p++;
        n--;
    }
    return c32;
}

uint32_t sundial_crc32c_update(uint32_t crc, const void *data, size_t length) {
    if (length == 0) return crc;
    return crc32c_sse42(crc, (const unsigned char *)data, length);
}

#else

int sundial_crc32c_hardware(void) { return 0; }

uint32_t sundial_crc32c_update(uint32_t crc, const void *data, size_t length) {
    (void)data;
    (void)length;
    return crc;
}

#endif
