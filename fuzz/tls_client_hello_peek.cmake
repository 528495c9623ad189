# The ClientHello dispatcher; seeds are real hellos (GnuTLS 3.5 with
# OpenPGP from the reference capture, GnuTLS 3.7 gnutls-cli TLS 1.3).
pgptls_fuzz_target(tls_client_hello_peek
  SOURCES tls_client_hello_peek_fuzz.cpp
  LIBS pgptls::tls
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/tls_client_hello_peek")
