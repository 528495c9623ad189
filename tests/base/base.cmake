pgptls_test(base_tests
  SOURCES
    byte_queue_test.cpp
    byte_reader_test.cpp
    byte_writer_test.cpp
    clock_test.cpp
    encoding_test.cpp
    error_category_test.cpp
    file_test.cpp
    name_table_test.cpp
    pending_test.cpp
    result_test.cpp
    rng_test.cpp
    secret_test.cpp
  LIBS pgptls::base)
