# The `pgptls serve` program under load on loopback (issue 6, Speed):
# handshakes per second with concurrent in-process clients, and the serve
# process's memory (RSS) per idle established connection.
pgptls_bench(transport_serve_bench
  SOURCES
    serve_bench.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/load_clients.cpp
  LIBS pgptls::transport pgptls_test_support)
add_dependencies(transport_serve_bench pgptls)
target_compile_definitions(transport_serve_bench PRIVATE PGPTLS_PROGRAM="$<TARGET_FILE:pgptls>")
