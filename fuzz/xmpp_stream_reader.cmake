# The XMPP stream reader (expat, restricted XML, caps) and the PROXY v2
# decoder; seeds are small streams, a DOCTYPE and an entity bomb.
pgptls_fuzz_target(xmpp_stream_reader
  SOURCES xmpp_stream_reader_fuzz.cpp
  LIBS pgptls::xmpp
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/xmpp_stream_reader_corpus")
