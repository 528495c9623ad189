# The conformance corpus (tests/conformance/) against gnutls-serv 3.7 on the
# X.509 path, started by the test: every case's outcome side by side with
# the RFC expectation, and every difference explained (the table is written
# to the build folder as conformance-gnutls-serv.md); and gnutls-cli without
# the extended master secret against the real dispatcher (RFC 7627 §5.2).
include(GoogleTest)
pgptls_test(conformance_gnutls_serv_tests
  SOURCES
    gnutls_serv_conformance_test.cpp
    gnutls_cli_ems_test.cpp
    "${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp"
  LIBS pgptls_conformance_corpus pgptls::transport pgptls_engine_test_support)
