// tls_client_hello_peek_fuzz.cpp: feeds arbitrary bytes to the ClientHello
// dispatcher, once whole and once in small chunks, and to the ClientHello
// parser. Invariant: both feeding orders reach the same decision (or both
// none), and a decision's buffered bytes are a prefix of the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/clock.h"
#include "fuzz/fuzz_require.h"
#include "tls/wire/client_hello_peek.h"

using pgptls::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgptls;
  const ByteView input(data, size);
  const base::FixedClock clock(base::TimePoint{});
  const bool has_openpgp = size % 2 == 0;

  tls::ClientHelloPeek whole(clock, has_openpgp);
  const auto whole_result = whole.feed(input);
  const bool whole_decided = whole_result.ok() && whole_result->has_value();

  tls::ClientHelloPeek chunked(clock, has_openpgp);
  const std::size_t chunk = 1 + size % 7;
  bool chunked_decided = false;
  tls::EngineChoice chunked_engine = tls::EngineChoice::gnutls;
  for (std::size_t offset = 0; offset < size; offset += chunk) {
    const auto result = chunked.feed(input.subspan(offset, std::min(chunk, size - offset)));
    if (!result.ok()) {
      break;
    }
    if (result->has_value()) {
      chunked_decided = true;
      chunked_engine = (*result)->engine;
      const Bytes& buffered = (*result)->buffered;
      require(buffered.size() <= size && std::equal(buffered.begin(), buffered.end(), data));
      break;
    }
  }
  require(whole_decided == chunked_decided);
  if (whole_decided) {
    require((*whole_result)->engine == chunked_engine);
    require((*whole_result)->buffered.size() == size);
  }

  if (size > 9) {
    (void)tls::parse_client_hello(input.subspan(9));
  }
  return 0;
}
