// A minimal C interface to RE2 (libre2-dev), so SundialCore can match label
// regexes with RE2 semantics and linear time, as Prometheus does (Go's regexp
// is an RE2 dialect). Only SundialCore imports this module.
#ifndef SUNDIAL_RE2_H
#define SUNDIAL_RE2_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct sundial_re2 sundial_re2;

/// Compiles `pattern` (UTF-8, `len` bytes). The caller anchors it if it wants
/// full-match semantics. `dot_nl` != 0 lets `.` match `\n` (Prometheus 3).
/// Returns NULL on a syntax error and stores a malloc'd, NUL-terminated
/// message in *error (free it with sundial_re2_free_error).
sundial_re2 *sundial_re2_new(const char *pattern, size_t len, int dot_nl, char **error);

/// 1 when the whole of `s` matches, else 0. Thread-safe on a shared object.
int sundial_re2_full_match(const sundial_re2 *re, const char *s, size_t len);

/// Number of capture groups in the pattern.
int sundial_re2_group_count(const sundial_re2 *re);

/// Full match that also reports the capture groups: `starts`/`ends` receive
/// byte offsets into `s` for groups 0...n (n = min(max_groups-1, group count));
/// an unmatched group gets -1. Returns 1 on a match, else 0.
int sundial_re2_full_match_groups(const sundial_re2 *re, const char *s, size_t len,
                                  int64_t *starts, int64_t *ends, int max_groups);

void sundial_re2_delete(sundial_re2 *re);
void sundial_re2_free_error(char *error);

#ifdef __cplusplus
}
#endif
#endif
