
# The OpenPGP side of the trust decision over the keyring (GnuTLS 3.5 reference keys).
pgptls_test(tls_trust_openpgp_tests
  SOURCES trust_openpgp_test.cpp
  LIBS pgptls::tls pgptls_test_support)
