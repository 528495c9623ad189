# The conformance corpus (tests/conformance/) against gnutls-serv 3.7 on the
# X.509 path, started by the test: every case's outcome side by side with
# the RFC expectation, and every difference explained (the table is written
# to the build folder as conformance-gnutls-serv.md).
include(GoogleTest)
pgptls_test(conformance_gnutls_serv_tests
  SOURCES
    gnutls_serv_conformance_test.cpp
    "${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp"
  LIBS pgptls_conformance_corpus pgptls_engine_test_support)
