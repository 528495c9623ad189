// tls_client_hello_peek_fuzz.cpp: feeds arbitrary bytes to the ClientHello
// dispatcher, once whole and once growing in small steps (as the transport
// passes its receive buffer), and to the ClientHello summary and engine
// choice. Invariants: both feeding orders reach the same decision or the
// same refusal, and a decision never reads past the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/clock.h"
#include "fuzz/fuzz_require.h"
#include "tls/wire/client_hello_peek.h"
#include "tls/wire/messages/hello.h"

using pgptls::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pgptls;
  const ByteView input(data, size);
  const base::FixedClock clock(base::TimePoint{});
  const tls::ServerOffer offer{
      .openpgp = size % 2 == 0, .x509 = size % 3 != 0, .tls13 = size % 5 != 0};

  tls::ClientHelloPeek whole(clock, offer);
  const auto whole_result = whole.examine(input);
  const bool whole_decided = whole_result.ok() && whole_result->has_value();

  tls::ClientHelloPeek stepped(clock, offer);
  const std::size_t step = 1 + size % 7;
  bool stepped_decided = false;
  bool stepped_failed = false;
  tls::EngineChoice stepped_engine = tls::EngineChoice::gnutls;
  for (std::size_t end = std::min(step, size); end <= size; end += step) {
    const auto result = stepped.examine(input.first(end));
    if (!result.ok()) {
      stepped_failed = true;
      require(!whole_result.ok() && result.error().code == whole_result.error().code);
      break;
    }
    if (result->has_value()) {
      stepped_decided = true;
      stepped_engine = (*result)->engine;
      require(stepped.examined() <= end);
      break;
    }
    if (end == size) {
      break;
    }
    end = std::min(end, size - step);
  }
  require(whole_decided == stepped_decided);
  require(stepped_failed || !stepped_decided || whole_decided);
  if (whole_decided) {
    require((*whole_result)->engine == stepped_engine);
    require(whole.examined() <= size);
  }

  if (size > 9) {
    const auto hello = tls::messages::parse_client_hello(input.subspan(9));
    if (hello.ok()) {
      const auto summary = tls::summarize_client_hello(*hello);
      if (summary.ok()) {
        (void)tls::choose_engine(*summary, offer);
      }
    }
  }
  return 0;
}
