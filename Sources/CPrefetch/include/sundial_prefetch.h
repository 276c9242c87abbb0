// Software prefetch hints (GCC/Clang `__builtin_prefetch`) for Sundial's hot loops.
// Imported only by SundialEncoding, which wraps them in `Prefetch`.
#ifndef SUNDIAL_PREFETCH_H
#define SUNDIAL_PREFETCH_H

/// Hints that the cache line holding `address` will be read soon (high temporal locality).
static inline void sundial_prefetch_read(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Hints that the cache line holding `address` will be written soon (high temporal locality).
static inline void sundial_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
