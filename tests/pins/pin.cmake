# The pin store: SQLite wrapper, pins and settings, the X.509 pin decision,
# the in-memory cache, durability under kill -9 and concurrent writers.
pgptls_test(pins_store_tests
  SOURCES
    pin_fixtures.cpp
    pin_types_test.cpp
    pin_store_test.cpp
    pin_check_test.cpp
    pin_json_test.cpp
    pin_sqlite_db_test.cpp
    pin_durability_test.cpp
    stopping_vfs.cpp
    pin_cache_test.cpp
  LIBS pgptls::pins pgptls_test_support)
