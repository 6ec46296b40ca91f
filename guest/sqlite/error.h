// An SQLite failure as the host sees it: primary code, extended code, message, and where in the
// SQL it lies (sqlite3_error_offset; -1 for nowhere).
#pragma once

#include <string>

struct sqlite3;

namespace sqlite_component {

struct Error {
  int code = 0;
  int extended_code = 0;
  std::string message;
  int offset = -1;
};

// The connection's last error (sqlite3_extended_errcode, sqlite3_errmsg, sqlite3_error_offset).
Error error_from(sqlite3* db);
// An error of our own making, e.g. misuse of a closed connection.
Error error_with(int extended_code, const char* message);

}  // namespace sqlite_component
