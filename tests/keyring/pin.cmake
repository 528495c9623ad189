# The pin store: SQLite wrapper, pins and settings, the X.509 pin decision,
# durability under kill -9 and concurrent writers.
pgptls_test(keyring_pin_tests
  SOURCES
    pin_fixtures.cpp
    pin_types_test.cpp
    pin_store_test.cpp
    pin_check_test.cpp
    pin_json_test.cpp
    pin_sqlite_db_test.cpp
    pin_durability_test.cpp
    pin_cache_test.cpp
  LIBS pgptls::keyring pgptls_test_support)
