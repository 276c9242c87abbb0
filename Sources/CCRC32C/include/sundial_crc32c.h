// CRC32-Castagnoli with the CPU's CRC instruction (x86-64 SSE4.2 `crc32`), for Sundial's WAL,
// chunk and index checksums. Imported only by SundialEncoding, which wraps it in `CRC32C` and
// falls back to its table implementation when the instruction is missing.
#ifndef SUNDIAL_CRC32C_H
#define SUNDIAL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the CRC32-C instruction `sundial_crc32c_update` uses, else 0.
/// Thread-safe; cheap, but callers should cache the answer.
int sundial_crc32c_hardware(void);

/// Continues the raw (not inverted) CRC32-C register `crc` over `length` bytes at `data`
/// (reflected polynomial 0x82F63B78, as the table implementation's inner loop), with the CPU
/// instruction. Only call when `sundial_crc32c_hardware()` returned 1; otherwise returns `crc`
/// unchanged. `data` may be unaligned; it may be NULL when `length` is 0.
uint32_t sundial_crc32c_update(uint32_t crc, const void *data, size_t length);

#endif
