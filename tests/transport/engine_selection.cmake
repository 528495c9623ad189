# transport::make_server_engine_factory / make_client_engine_factory: one
# listening server dispatching OpenPGP and X.509 clients, the client modes,
# and parse_client_mode (gpg- and certtool-made keys, loopback sockets).
pgptls_test(transport_engine_selection_tests
  SOURCES
    engine_selection_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_tls_engine_openpgp_support pgptls_engine_test_support)
