# `pgptls s2s` on loopback: relay throughput through an
# outbound and an inbound proxy versus a direct TCP link, time from TCP
# connect to the first relayed stanza, memory per idle link, and CPU per
# inbound handshake (OpenPGP keys made by gpg, as in tests/s2s).
pgptls_bench(s2s_proxy_bench
  SOURCES
    s2s_bench.cpp
    ${PROJECT_SOURCE_DIR}/tests/s2s/raw_peer.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::xmpp pgptls_test_support)
add_dependencies(s2s_proxy_bench pgptls)
target_compile_definitions(s2s_proxy_bench PRIVATE PGPTLS_PROGRAM="$<TARGET_FILE:pgptls>"
  PGPTLS_BINARY_DIR="${PROJECT_BINARY_DIR}")
