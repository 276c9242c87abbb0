// The prefetch hints are static inline functions in include/sundial_prefetch.h; SwiftPM needs one
// source file per C target.
#include "sundial_prefetch.h"
