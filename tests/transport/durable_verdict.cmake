# A trust decision that needs the disk (a TOFU pin, a first OpenPGP login,
# a reload before a rejection) never blocks the event loop: real loopback
# handshakes over both engines, the production TrustVerifier over
# pins::PinCache with its write held or failed.
pgptls_test(transport_durable_verdict_tests
  SOURCES
    durable_verdict_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_tls_engine_openpgp_support pgptls_engine_test_support)
