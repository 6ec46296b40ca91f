# Cross-compiles for wasm32 against Debian's wasi-libc (headers and libs under /usr).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_SYSROOT /usr)
# A test executable cannot run on the build machine.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Post-MVP features every engine we target has: memory.copy/fill for memcpy/memset,
# saturating float-to-int (no trap checks), sign extension.
set(CMAKE_C_FLAGS_INIT "-mbulk-memory -mnontrapping-fptoint -msign-ext")
set(CMAKE_CXX_FLAGS_INIT "-mbulk-memory -mnontrapping-fptoint -msign-ext")
