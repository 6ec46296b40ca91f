// A sqlite3_vfs whose every method is answered by the host (the imported `vfs` interface).
#pragma once

#include "sqlite3.h"

namespace sqlite_component {

// Registers a VFS called `name` with SQLite unless one exists. Returns an SQLite result code.
int host_vfs_register(const char* name);
// The default VFS that sqlite3_os_init registers.
sqlite3_vfs make_default_vfs(const char* name);

}  // namespace sqlite_component
