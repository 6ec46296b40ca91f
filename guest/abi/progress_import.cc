// Lowers progress_import::check to the imported `sqlite:component/progress@0.1.0` function:
// a u32 in, a bool out, no memory involved.

#include "abi/progress_import.h"

extern "C" {
__attribute__((import_module("sqlite:component/progress@0.1.0"), import_name("check"))) int32_t progress_check(uint32_t);
}

namespace progress_import {

bool check(uint32_t id) { return progress_check(id) != 0; }

}  // namespace progress_import
