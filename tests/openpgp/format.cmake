# Armor, packets, certificates, the RFC 9580 vectors and the error category.
pgptls_test(openpgp_format_tests
  SOURCES
    armor_test.cpp
    packet_test.cpp
    cert_test.cpp
    rfc9580_test.cpp
    errors_test.cpp
    key_reference_test.cpp
    signature_test.cpp
  LIBS pgptls::keyring pgptls_test_support)
