# The XMPP stream layer: reader (restricted XML, caps, namespaces), writer,
# PROXY v2 codec.
pgptls_test(xmpp_tests
  SOURCES
    stream_reader_test.cpp
    stream_writer_test.cpp
    proxy_v2_test.cpp
  LIBS pgptls::xmpp)
