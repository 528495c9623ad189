# Negotiation: ClientHello construction, server selection, ServerHello checks.
pgptls_test(tls_negotiation_tests
  SOURCES negotiation_test.cpp
  LIBS pgptls::tls pgptls_tls_engine_test_support pgptls_test_support)
