# Load test of the `pgptls serve` program: 1 000
# handshakes from 50 concurrent in-process clients against one serve process
# while 200 silent connections are cut at its handshake deadline; SIGTERM
# then drains and exits 0 (in the ASan build: no leak). Once with X.509
# TLS 1.3 pinned clients, once with OpenPGP Ed25519 RFC 6091 clients.
pgptls_test(cli_load_tests
  SOURCES
    load_test.cpp
    load_clients.cpp
    load_openpgp.cpp
    openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_tls_engine_openpgp_support pgptls_test_support)
add_dependencies(cli_load_tests pgptls)
