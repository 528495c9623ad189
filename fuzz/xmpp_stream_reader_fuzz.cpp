// xmpp_stream_reader_fuzz.cpp: xmpp::StreamReader on arbitrary bytes.
//
// Input layout: [split][data...]. The data is fed in pieces of (split % 61
// + 1) bytes, so the fuzzer also explores token boundaries. Invariants:
// the reader never holds more than its caps allow, every element event's
// bytes are non-empty and start with '<', and after a failure it stays
// failed. The same data also goes through the PROXY v2 decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_require.h"
#include "xmpp/proxy_v2.h"
#include "xmpp/stream_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using pgptls::fuzz::require;
  if (size == 0) {
    return 0;
  }
  const std::size_t split = data[0] % 61 + 1;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  constexpr pgptls::xmpp::ReaderLimits kLimits{.max_header_bytes = 512, .max_stanza_bytes = 1024};
  pgptls::xmpp::StreamReader reader(kLimits);
  bool failed = false;
  for (std::size_t at = 0; at < input.size(); at += split) {
    const bool ok = reader.feed(input.substr(at, split)).ok();
    require(!(failed && ok));
    failed = failed || !ok;
    require(reader.buffered_bytes() <= kLimits.max_stanza_bytes + kLimits.max_header_bytes);
    while (auto event = reader.next()) {
      if (event->kind != pgptls::xmpp::EventKind::stream_end) {
        require(!event->raw.empty() && event->raw.front() == '<');
      }
    }
  }

  std::size_t consumed = 0;
  auto header = pgptls::xmpp::decode_proxy_v2(input, consumed);
  if (header.ok()) {
    require(consumed <= input.size());
  }
  return 0;
}
