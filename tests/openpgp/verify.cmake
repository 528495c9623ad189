# Ed25519 verification through libsodium: agreement with GnuTLS on keys the
# test makes, refusals of altered and non-canonical signatures, and OpenPGP
# signatures of a gpg-made legacy EdDSA key.
pgptls_test(openpgp_verify_tests
  SOURCES
    ed25519_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::keyring pgptls_test_support)
