# The load clients (tests/cli/load_clients.cpp), compiled once for both
# programs that drive them. GCC's -Wsubobject-linkage also keeps the file
# out of a unity batch: its lambdas capture file-local types, which GCC
# accepts only in the main file of a translation unit.
add_library(pgptls_bench_load_clients STATIC ${PROJECT_SOURCE_DIR}/tests/cli/load_clients.cpp)
target_link_libraries(pgptls_bench_load_clients PUBLIC pgptls::transport pgptls_test_support)
pgptls_warnings(pgptls_bench_load_clients)

# The `pgptls serve` program under load on loopback:
# handshakes per second with concurrent in-process clients, and the serve
# process's memory (RSS) per idle established connection.
pgptls_bench(transport_serve_bench
  SOURCES
    serve_bench.cpp
    ${PROJECT_SOURCE_DIR}/bench/keyring/store_certgen.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/load_openpgp.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls_bench_load_clients pgptls_tls_engine_openpgp_support pgptls_test_support)
add_dependencies(transport_serve_bench pgptls)
# The gpg-made keys are cached under the build directory (store_gpg.h).
target_compile_definitions(transport_serve_bench PRIVATE PGPTLS_PROGRAM="$<TARGET_FILE:pgptls>"
  PGPTLS_BINARY_DIR="${PROJECT_BINARY_DIR}")

# A load client for any TLS 1.3 X.509 echo server (compare serve with
# gnutls-serv or nginx): tls_load_client HOST PORT CERT KEY [TOTAL [CONC]].
add_executable(tls_load_client tls_load_client.cpp)
target_link_libraries(tls_load_client PRIVATE pgptls_bench_load_clients)
pgptls_warnings(tls_load_client)

# A plain TCP echo backend for TLS terminators that proxy (nginx stream,
# serve --forward): plain_echo [PORT]. Used by bench/run-tls-terminators.
add_executable(plain_echo plain_echo.cpp)
target_link_libraries(plain_echo PRIVATE Boost::headers Threads::Threads)
pgptls_warnings(plain_echo)
