# One fuzz target per handshake message parser, all from one source:
# PGPTLS_FUZZ_PARSER names the parser. Seeds are the message bodies of the
# recorded GnuTLS 3.5 handshakes (and a certtool certificate for X.509).
foreach(parser
    client_hello server_hello openpgp_certificate x509_certificate
    server_key_exchange certificate_request client_key_exchange
    certificate_verify extensions handshake_reassembly)
  pgptls_fuzz_target(tls_${parser}
    SOURCES tls_messages_fuzz.cpp
    LIBS pgptls::tls
    SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/tls_${parser}")
  target_compile_definitions(fuzz_tls_${parser} PRIVATE PGPTLS_FUZZ_PARSER=${parser})
endforeach()
