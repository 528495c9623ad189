# The server-side TLS conformance corpus: a table of malformed and
# unexpected first flights with the alert or acceptance the RFCs require, run
# against the real dispatcher and both engines over loopback sockets, one
# server per credential set. The corpus and the probe are a library so the
# gnutls-serv comparison (interop/conformance/) runs the same table.
add_library(pgptls_conformance_corpus STATIC hello_builder.cpp corpus.cpp probe.cpp)
target_link_libraries(pgptls_conformance_corpus PUBLIC pgptls::tls pgptls_engine_test_support)
target_include_directories(pgptls_conformance_corpus PUBLIC "${PROJECT_SOURCE_DIR}")
pgptls_warnings(pgptls_conformance_corpus)

pgptls_test(conformance_tests
  SOURCES
    conformance_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls_conformance_corpus pgptls::transport pgptls_tls_engine_openpgp_support
       pgptls_engine_test_support)
