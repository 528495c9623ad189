# The TLS record layer: plaintext framing and AEAD-protected records with a
# fixed key; seeds are the GnuTLS 3.5 captures' streams.
pgptls_fuzz_target(tls_record
  SOURCES tls_record_fuzz.cpp
  LIBS pgptls::tls
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/tls_record")
