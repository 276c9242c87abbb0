#include "sundial_re2.h"
#include <re2/re2.h>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

struct sundial_re2 {
  re2::RE2 re;
  sundial_re2(const re2::StringPiece &p, const re2::RE2::Options &o) : re(p, o) {}
};

extern "C" sundial_re2 *sundial_re2_new(const char *pattern, size_t len, int dot_nl, char **error) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(re2::RE2::Options::EncodingUTF8);
  opts.set_dot_nl(dot_nl != 0);
  // Go's regexp has no size limit worth hitting here; give RE2 room for long alternations.
  opts.set_max_mem(64 << 20);
  auto *r = new (std::nothrow) sundial_re2(re2::StringPiece(pattern, len), opts);
  if (r == nullptr) {
    if (error) *error = strdup("out of memory compiling regex");
    return nullptr;
  }
  if (!r->re.ok()) {
    if (error) *error = strdup(r->re.error().c_str());
    delete r;
    return nullptr;
  }
  return r;
}

extern "C" int sundial_re2_full_match(const sundial_re2 *re, const char *s, size_t len) {
  return re2::RE2::FullMatch(re2::StringPiece(s, len), re->re) ? 1 : 0;
}

extern "C" int sundial_re2_group_count(const sundial_re2 *re) { return re->re.NumberOfCapturingGroups(); }

extern "C" int sundial_re2_full_match_groups(const sundial_re2 *re, const char *s, size_t len,
                                             int64_t *starts, int64_t *ends, int max_groups) {
  int n = re->re.NumberOfCapturingGroups() + 1;
  if (n > max_groups) n = max_groups;
  if (n < 1) n = 1;
  std::vector<re2::StringPiece> groups(n);
  re2::StringPiece input(s, len);
  if (!re->re.Match(input, 0, len, re2::RE2::ANCHOR_BOTH, groups.data(), n)) return 0;
  for (int i = 0; i < n; i++) {
    if (groups[i].data() == nullptr) {
      starts[i] = -1;
      ends[i] = -1;
    } else {
      starts[i] = groups[i].data() - s;
      ends[i] = starts[i] + (int64_t)groups[i].size();
    }
  }
  return 1;
}

extern "C" void sundial_re2_delete(sundial_re2 *re) { delete re; }
extern "C" void sundial_re2_free_error(char *error) { free(error); }
