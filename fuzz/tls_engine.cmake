# The whole RFC 6091 client and server driven by fuzz input (fixed RNG and
# clock, certtool-made Ed25519 credentials in fuzz/data/tls_engine). Seeds
# are recorded handshakes between the two, written by fuzz_tls_engine_seeds.
add_library(pgptls_fuzz_tls_engine_world STATIC tls_engine_world.cpp)
target_link_libraries(pgptls_fuzz_tls_engine_world PUBLIC pgptls::tls)
target_include_directories(pgptls_fuzz_tls_engine_world PUBLIC "${PROJECT_SOURCE_DIR}")
target_compile_definitions(pgptls_fuzz_tls_engine_world PRIVATE
  PGPTLS_FUZZ_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
pgptls_warnings(pgptls_fuzz_tls_engine_world)
if(PGPTLS_FUZZ)
  target_compile_options(pgptls_fuzz_tls_engine_world PRIVATE -fsanitize=fuzzer-no-link)
endif()

foreach(role client server)
  pgptls_fuzz_target(tls_engine_${role}
    SOURCES tls_engine_fuzz.cpp
    LIBS pgptls_fuzz_tls_engine_world
    SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/tls_engine_${role}")
  target_compile_definitions(fuzz_tls_engine_${role} PRIVATE PGPTLS_FUZZ_ROLE=${role})
endforeach()

add_executable(fuzz_tls_engine_seeds tls_engine_seeds.cpp)
target_link_libraries(fuzz_tls_engine_seeds PRIVATE pgptls_fuzz_tls_engine_world)
pgptls_warnings(fuzz_tls_engine_seeds)
if(PGPTLS_FUZZ)
  # The world library is built with fuzzer instrumentation in fuzz builds.
  target_link_options(fuzz_tls_engine_seeds PRIVATE -fsanitize=fuzzer-no-link)
endif()
