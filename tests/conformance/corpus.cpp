#include "tests/conformance/corpus.h"

#include <algorithm>
#include <functional>
#include <string>

#include "tests/conformance/hello_builder.h"
#include "tls/wire/errors.h"

namespace pgptls::conformance {
namespace {

using tls::AlertDescription;

constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kX509 = 0;
constexpr std::uint8_t kOpenPgp = 1;
constexpr std::uint8_t kRawPublicKey = 2;
constexpr std::size_t kHelloCap = 64 * 1024;  // tls::PeekLimits, as GnuTLS

std::string alert(AlertDescription description) {
  return alert_outcome(static_cast<std::uint8_t>(description));
}
const std::string kAccept = "ServerHello";
std::string accept_then(AlertDescription description) {
  return kAccept + ", then " + alert(description);
}
const std::string kClosed = "closed";

bool serves(CredentialSet set, std::uint8_t type) {
  if (type == kOpenPgp) {
    return set != CredentialSet::x509;
  }
  if (type == kX509) {
    return set != CredentialSet::openpgp;
  }
  return false;
}

// Corpus: the cases of one credential set, and the base hello.
class Corpus {
 public:
  explicit Corpus(CredentialSet set) : set_(set) {
    // The base hello offers [OpenPGP, X.509], so every set accepts it: the
    // OpenPGP sets with OpenPGP (RFC 6091 engine), X.509 with GnuTLS.
    base_.cert_types = std::vector<std::uint8_t>{kOpenPgp, kX509};
  }

  std::vector<Case> build() {
    baseline();
    lengths();
    truncations();
    first_messages();
    order();
    record_versions();
    fragmentation();
    sizes();
    cert_types();
    extensions();
    versions();
    return std::move(cases_);
  }

 private:
  // base_cert_type: what the ServerHello carries for the base hello.
  std::optional<std::uint8_t> cert_type_for(const std::optional<std::vector<std::uint8_t>>& list) {
    // RFC 6091 §3.1 as pgptls applies it: OpenPGP offered and served -> the
    // RFC 6091 engine, which takes the client's first type it holds.
    const std::vector<std::uint8_t> types = list.value_or(std::vector<std::uint8_t>{kX509});
    const bool openpgp =
        std::find(types.begin(), types.end(), kOpenPgp) != types.end() && serves(set_, kOpenPgp);
    if (!openpgp) {
      return std::nullopt;  // the GnuTLS engine, X.509, no cert_type
    }
    for (const std::uint8_t type : types) {
      if (serves(set_, type)) {
        return type == kOpenPgp ? std::optional<std::uint8_t>(kOpenPgp) : std::nullopt;
      }
    }
    return std::nullopt;
  }

  void add(std::string family, std::string name, Bytes wire, std::string expected, std::string rfc,
           const HelloSpec* spec = nullptr) {
    const HelloSpec& used = spec ? *spec : base_;
    Case c{std::move(family),
           std::move(name),
           std::move(wire),
           std::move(expected),
           std::move(rfc),
           std::nullopt,
           build_hello(used).offered_extensions};
    if (c.expected.rfind(kAccept, 0) == 0) {
      c.server_cert_type = cert_type_for(used.cert_types);
    }
    cases_.push_back(std::move(c));
  }

  Bytes hello_record(const HelloSpec& spec, std::size_t fragment = 16384,
                     std::uint16_t version = 0x0301) {
    return records(kHandshake, handshake(kClientHello, build_hello(spec).body), fragment, version);
  }

  void baseline() {
    add("baseline", "valid hello", hello_record(base_), kAccept, "RFC 5246 §7.4.1.2");
  }

  // Every length field of the hello body and of each extension: shortened
  // by one, lengthened by one, and set to its maximum (RFC 5246 §4.3: a
  // vector's length must match its contents; §7.2.2 decode_error: "A message
  // could not be decoded because some field was out of the specified range
  // or the length of the message was incorrect").
  void lengths() {
    const BuiltHello hello = build_hello(base_);
    for (const LengthField& field : hello.fields) {
      const std::size_t value = read_field(hello.body, field);
      const std::size_t max = (std::size_t{1} << (8 * field.width)) - 1;
      const std::vector<std::pair<std::string, std::size_t>> mutations{
          {"shortened", value - 1}, {"lengthened", value + 1}, {"overflowed", max}};
      for (const auto& [how, mutated] : mutations) {
        if ((how == "shortened" && value == 0) || mutated == value || mutated > max) {
          continue;
        }
        Bytes body = hello.body;
        write_field(body, field, mutated);
        add("length", field.name + " " + how, records(kHandshake, handshake(kClientHello, body)),
            alert(AlertDescription::decode_error), "RFC 5246 §4.3, §7.2.2 decode_error");
      }
    }
    // The handshake header's uint24 length (RFC 5246 §7.4).
    const Bytes message = handshake(kClientHello, hello.body);
    {
      Bytes shorter = message;
      shorter[3] = static_cast<std::uint8_t>(shorter[3] - 1);  // body is < 256 * 256
      // The hello ends a byte early (it does not parse) and a stray byte
      // follows it in the record.
      add("length", "handshake length shortened", records(kHandshake, shorter),
          alert(AlertDescription::decode_error), "RFC 5246 §7.4, §7.2.2 decode_error");
      Bytes longer = message;
      longer[3] = static_cast<std::uint8_t>(longer[3] + 1);
      add("length", "handshake length lengthened", records(kHandshake, longer), kClosed,
          "RFC 5246 §6.2.1: the message continues in a record that never comes");
      Bytes overflowed = message;
      overflowed[1] = overflowed[2] = overflowed[3] = 0xFF;
      add("length", "handshake length overflowed", records(kHandshake, overflowed),
          alert(AlertDescription::illegal_parameter),
          "RFC 5246 §7.4.1.2 (2^24-1) over the 64 KiB cap; RFC 5246 §7.2.2 alert before close");
    }
    // The record header's uint16 length (RFC 5246 §6.2.1).
    const Bytes wire = records(kHandshake, message);
    {
      Bytes shorter = wire;
      shorter[4] = static_cast<std::uint8_t>(shorter[4] - 1);
      add("length", "record length shortened", shorter, kClosed,
          "RFC 5246 §6.2.1: the last byte starts a record header that never completes");
      Bytes longer = wire;
      longer[4] = static_cast<std::uint8_t>(longer[4] + 1);
      add("length", "record length lengthened", longer, kClosed,
          "RFC 5246 §6.2.1: the record's last byte never comes");
      Bytes overflowed = wire;
      overflowed[3] = overflowed[4] = 0xFF;
      add("length", "record length overflowed", overflowed,
          alert(AlertDescription::record_overflow),
          "RFC 5246 §6.2.1 (2^14), §7.2.2 record_overflow");
    }
  }

  // The hello body truncated at every byte, lengths consistent (the message
  // is complete but its structure is cut: decode_error), and the wire cut at
  // every byte before the client half-closes (the server waits, then sees
  // the end: it closes).
  void truncations() {
    const BuiltHello hello = build_hello(base_);
    const std::size_t extensions_at = hello.fields[3].offset;  // session_id, suites, compression
    for (std::size_t size = 0; size < hello.body.size(); ++size) {
      const Bytes body(hello.body.begin(), hello.body.begin() + static_cast<std::ptrdiff_t>(size));
      if (size == extensions_at) {
        // A hello may end after compression_methods (RFC 5246 §7.4.1.2):
        // no cert_type means X.509 only (RFC 6091 §3.1), and no EMS
        // (RFC 7627 §5.2); the certificate type is judged first.
        add("truncation", "body cut to " + std::to_string(size) + " bytes (no extensions)",
            records(kHandshake, handshake(kClientHello, body)),
            alert(set_ == CredentialSet::openpgp ? AlertDescription::unsupported_certificate
                                                 : AlertDescription::insufficient_security),
            "RFC 5246 §7.4.1.2, RFC 6091 §3.1, RFC 7627 §5.2");
        continue;
      }
      add("truncation", "body cut to " + std::to_string(size) + " bytes",
          records(kHandshake, handshake(kClientHello, body)), alert(AlertDescription::decode_error),
          "RFC 5246 §7.4.1.2, §7.2.2 decode_error");
    }
    const Bytes wire = hello_record(base_);
    for (std::size_t size = 0; size < wire.size(); ++size) {
      add("truncation", "wire cut to " + std::to_string(size) + " bytes",
          Bytes(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(size)), kClosed,
          "RFC 5246 §6.2.1: an incomplete record; the client closed");
    }
  }

  // Every handshake message type sent first (RFC 5246 §7.3, §7.4: the
  // client's first message is the ClientHello; anything else is
  // unexpected_message), and every other content type first.
  void first_messages() {
    for (const int type : {0, 2, 4, 11, 12, 13, 14, 15, 16, 20, 21, 22, 24, 67, 254, 255}) {
      add("first message", "handshake type " + std::to_string(type) + " first",
          records(kHandshake, handshake(static_cast<std::uint8_t>(type), Bytes(4, 0))),
          alert(AlertDescription::unexpected_message), "RFC 5246 §7.3, §7.4 unexpected_message");
    }
    const std::vector<std::pair<std::string, Bytes>> others{
        {"ChangeCipherSpec first", records(20, {1})},
        {"warning alert first", records(21, {1, 90})},
        {"application data first", records(23, {'x'})},
        {"heartbeat first", records(24, {1, 0, 0})},
        {"content type 0 first", records(0, {1})},
        {"content type 255 first", records(255, {1})},
    };
    for (const auto& [name, wire] : others) {
      add("first message", name, wire, alert(AlertDescription::unexpected_message),
          "RFC 5246 §6, §7.4 unexpected_message");
    }
    add("first message", "empty handshake record first", records(kHandshake, {}),
        alert(AlertDescription::decode_error), "RFC 5246 §6.2.1 (no empty handshake fragments)");
  }

  // Messages skipped, duplicated, coalesced, and interleaved with other
  // content types (RFC 5246 §7.3 order; §7.4 unexpected_message).
  void order() {
    const Bytes message = handshake(kClientHello, build_hello(base_).body);
    const Bytes key_exchange = handshake(16, Bytes{32, 0});  // ClientKeyExchange
    const Bytes finished = handshake(20, Bytes(12, 0));
    const auto cat = [](Bytes a, const Bytes& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    const std::string rule = "RFC 5246 §7.3, §7.4 unexpected_message";
    add("order", "hello twice in one record", records(kHandshake, cat(message, message)),
        alert(AlertDescription::unexpected_message), rule);
    add("order", "hello coalesced with ClientKeyExchange",
        records(kHandshake, cat(message, key_exchange)),
        alert(AlertDescription::unexpected_message), rule);
    // Records after the hello say {03,03}: the ServerHello fixed TLS 1.2
    // (RFC 5246 §6.2.1); {03,01} there is protocol_version.
    const auto later = [](std::uint8_t type, const Bytes& payload) {
      return records(type, payload, 16384, 0x0303);
    };
    add("order", "hello then hello", cat(records(kHandshake, message), later(kHandshake, message)),
        accept_then(AlertDescription::unexpected_message), rule);
    add("order", "hello then ClientKeyExchange (Certificate skipped)",
        cat(records(kHandshake, message), later(kHandshake, key_exchange)),
        accept_then(AlertDescription::unexpected_message), rule);
    add("order", "hello then Finished",
        cat(records(kHandshake, message), later(kHandshake, finished)),
        accept_then(AlertDescription::unexpected_message), rule);
    add("order", "hello then ChangeCipherSpec", cat(records(kHandshake, message), later(20, {1})),
        accept_then(AlertDescription::unexpected_message),
        "RFC 5246 §7.1, §7.3 unexpected_message");
    add("order", "hello then a {03,01} record",
        cat(records(kHandshake, message), records(kHandshake, key_exchange)),
        accept_then(AlertDescription::protocol_version),
        "RFC 5246 §6.2.1 (after the ServerHello every record says {03,03})");
    const std::size_t half = message.size() / 2;
    const Bytes first(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(half));
    const Bytes second(message.begin() + static_cast<std::ptrdiff_t>(half), message.end());
    const std::vector<std::pair<std::string, Bytes>> between{
        {"ChangeCipherSpec", records(20, {1})},
        {"warning alert", records(21, {1, 90})},
        {"application data", records(23, {'x'})},
    };
    for (const auto& [name, record] : between) {
      add("order", name + " inside a fragmented hello",
          cat(cat(records(kHandshake, first), record), records(kHandshake, second)),
          alert(AlertDescription::unexpected_message),
          "RFC 5246 §6.2.1, §7.4: the hello is incomplete; unexpected_message");
    }
  }

  // RFC 5246 Appendix E.1: any {03,XX} record version for the first
  // ClientHello; RFC 8446 §5.1: legacy_record_version is ignored.
  void record_versions() {
    for (unsigned minor = 0; minor <= 0xFF; ++minor) {
      const auto version = static_cast<std::uint16_t>(0x0300 | minor);
      add("record version", "record version {03," + std::to_string(minor) + "}",
          hello_record(base_, 16384, version), kAccept, "RFC 5246 Appendix E.1, RFC 8446 §5.1");
    }
    for (const std::uint16_t version : {0x0000, 0x0200, 0x0403, 0xFEFE, 0xFEFF}) {
      add("record version",
          "record version " + std::to_string(version >> 8) + "." + std::to_string(version & 0xFF),
          hello_record(base_, 16384, version), alert(AlertDescription::protocol_version),
          "RFC 5246 Appendix E.1 (not {03,XX}), §7.2.2 protocol_version");
    }
    // The second record of a split hello with another {03,XX}.
    const Bytes message = handshake(kClientHello, build_hello(base_).body);
    const std::size_t half = message.size() / 2;
    Bytes wire = records(kHandshake, Bytes(message.begin(), message.begin() + half), 16384, 0x0301);
    const Bytes rest =
        records(kHandshake, Bytes(message.begin() + half, message.end()), 16384, 0x0303);
    wire.insert(wire.end(), rest.begin(), rest.end());
    add("record version", "split hello {03,01} then {03,03}", wire, kAccept,
        "RFC 5246 Appendix E.1");
  }

  // RFC 5246 §6.2.1: a handshake message may span records of any size.
  void fragmentation() {
    for (const std::size_t size : {1, 2, 3, 7, 64, 255}) {
      add("fragmentation", "hello in " + std::to_string(size) + "-byte records",
          hello_record(base_, size), kAccept, "RFC 5246 §6.2.1");
    }
    const Bytes message = handshake(kClientHello, build_hello(base_).body);
    Bytes coalesced = message;
    const Bytes key_exchange = handshake(16, Bytes{32, 0});
    coalesced.insert(coalesced.end(), key_exchange.begin(), key_exchange.end());
    // In 1-byte records the hello ends at a record boundary: the server
    // answers it, then refuses the ClientKeyExchange (no Certificate first).
    add("fragmentation", "1-byte records, hello then ClientKeyExchange",
        records(kHandshake, coalesced, 1, 0x0303),
        accept_then(AlertDescription::unexpected_message),
        "RFC 5246 §6.2.1, §7.3, §7.4 unexpected_message");
    Bytes shared = records(kHandshake, Bytes(message.begin(), message.end() - 1), 1, 0x0303);
    const Bytes tail{message.back(), key_exchange[0]};
    const Bytes last = records(kHandshake, tail, 16384, 0x0303);
    shared.insert(shared.end(), last.begin(), last.end());
    add("fragmentation", "1-byte records, last one shared with ClientKeyExchange", shared,
        alert(AlertDescription::unexpected_message), "RFC 5246 §7.3, §7.4 unexpected_message");
  }

  // Hellos from a few bytes to the 64 KiB cap (RFC 7685 padding), spanning
  // records; over the cap, the announced length is refused at once.
  void sizes() {
    const std::size_t base_size = build_hello(base_).body.size();
    for (const std::size_t target : {std::size_t{512}, std::size_t{16380}, std::size_t{16384},
                                     std::size_t{16385}, std::size_t{40000}, kHelloCap}) {
      HelloSpec spec = base_;
      spec.padding = target - base_size - 4;  // the extension's own header
      add("size", "hello body of " + std::to_string(build_hello(spec).body.size()) + " bytes",
          hello_record(spec), kAccept, "RFC 5246 §6.2.1, §7.4.1.2 (up to the 64 KiB cap)", &spec);
    }
    HelloSpec over = base_;
    over.padding = kHelloCap + 1 - base_size - 4;
    const Bytes wire = hello_record(over);
    // Only the first record: the header already announces too much.
    add("size", "hello body of " + std::to_string(kHelloCap + 1) + " bytes",
        Bytes(wire.begin(), wire.begin() + 5 + 16384), alert(AlertDescription::illegal_parameter),
        "over the 64 KiB cap (as GnuTLS); RFC 5246 §7.2.2 alert before close", &over);
  }

  // RFC 6091 §3.1: the server selects a type from the client's list or
  // answers unsupported_certificate; an empty list does not decode (§2:
  // certificate_types<1..2^8-1>).
  void cert_types() {
    const std::vector<std::pair<std::string, std::optional<std::vector<std::uint8_t>>>> lists{
        {"absent", std::nullopt},
        {"[x509]", std::vector<std::uint8_t>{kX509}},
        {"[openpgp]", std::vector<std::uint8_t>{kOpenPgp}},
        {"[openpgp, x509]", std::vector<std::uint8_t>{kOpenPgp, kX509}},
        {"[x509, openpgp]", std::vector<std::uint8_t>{kX509, kOpenPgp}},
        {"[raw public key]", std::vector<std::uint8_t>{kRawPublicKey}},
        {"[raw public key, x509]", std::vector<std::uint8_t>{kRawPublicKey, kX509}},
        {"[7, 200]", std::vector<std::uint8_t>{7, 200}},
    };
    for (const auto& [name, list] : lists) {
      HelloSpec spec = base_;
      spec.cert_types = list;
      const std::vector<std::uint8_t> types = list.value_or(std::vector<std::uint8_t>{kX509});
      const bool any = std::any_of(types.begin(), types.end(),
                                   [&](std::uint8_t type) { return serves(set_, type); });
      add("cert_type", "cert_type " + name, hello_record(spec),
          any ? kAccept : alert(AlertDescription::unsupported_certificate),
          any ? "RFC 6091 §3.1 (a type from the client's list)"
              : "RFC 6091 §3.1 unsupported_certificate",
          &spec);
    }
    HelloSpec empty = base_;
    empty.cert_types = std::vector<std::uint8_t>{};
    add("cert_type", "cert_type []", hello_record(empty), alert(AlertDescription::decode_error),
        "RFC 6091 §2 certificate_types<1..2^8-1>, RFC 5246 §7.2.2 decode_error", &empty);
  }

  // Extensions the server must require, refuse or only echo.
  void extensions() {
    HelloSpec no_ems = base_;
    no_ems.extended_master_secret = false;
    add("extension", "no extended_master_secret", hello_record(no_ems),
        alert(AlertDescription::insufficient_security),
        "RFC 7627 §5.2 (both engines; the alert of the RFC 6091 engine)", &no_ems);
    HelloSpec no_reneg = base_;
    no_reneg.renegotiation_info = false;
    add("extension", "no renegotiation_info, no SCSV", hello_record(no_reneg), kAccept,
        "RFC 5746 §3.6: no renegotiation_info in the ServerHello", &no_reneg);
    HelloSpec scsv = no_reneg;
    scsv.cipher_suites.push_back(0x00FF);
    add("extension", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", hello_record(scsv), kAccept,
        "RFC 5746 §3.6: renegotiation_info answers the SCSV", &scsv);
    // (The SCSV case's ServerHello may carry renegotiation_info, which the
    // client did not list as an extension: offered_extensions says so.)
    cases_.back().offered_extensions.push_back(0xFF01);
    HelloSpec no_formats = base_;
    no_formats.point_formats = false;
    add("extension", "no ec_point_formats", hello_record(no_formats), kAccept,
        "RFC 8422 §5.2: no ec_point_formats in the ServerHello", &no_formats);
    HelloSpec bare = base_;
    bare.point_formats = false;
    bare.renegotiation_info = false;
    bare.server_name.reset();
    add("extension", "only the required extensions", hello_record(bare), kAccept,
        "RFC 5246 §7.4.1.4: the ServerHello answers only what was offered", &bare);
    HelloSpec duplicate = base_;
    duplicate.extra.push_back({23, {}});
    add("extension", "extended_master_secret twice", hello_record(duplicate),
        alert(AlertDescription::illegal_parameter),
        "RFC 5246 §7.4.1.4 (one extension per type), RFC 8446 §4.2 illegal_parameter", &duplicate);
    HelloSpec unknown = base_;
    unknown.extra.push_back({0x7A7A, {1, 2, 3}});
    add("extension", "unknown extension ignored", hello_record(unknown), kAccept,
        "RFC 5246 §7.4.1.4 (unknown extensions are ignored)", &unknown);
    // RFC 6066 §3: host_name is a DNS host name: no NUL, no empty label, no
    // trailing dot, at most 253 characters.
    const std::vector<std::pair<std::string, std::string>> names{
        {"NUL inside", std::string("a\0.example", 10)},
        {"trailing NUL", std::string("a.example\0", 10)},
        {"empty label", "a..example"},
        {"trailing dot", "a.example."},
        {"space", "a example"},
        {"non-ASCII", "\xc3\xa9.example"},
        {"254 characters", std::string(50, 'a') + "." + std::string(50, 'b') + "." +
                               std::string(50, 'c') + "." + std::string(50, 'd') + "." +
                               std::string(50, 'e') + ".fgh"},
    };
    for (const auto& [name, host] : names) {
      HelloSpec spec = base_;
      spec.server_name = host;
      add("extension", "server_name " + name, hello_record(spec),
          alert(AlertDescription::illegal_parameter), "RFC 6066 §3 (a DNS host name)", &spec);
    }
    HelloSpec capitals = base_;
    capitals.server_name = "A.Example";
    add("extension", "server_name in capitals", hello_record(capitals), kAccept,
        "RFC 6066 §3 (a DNS host name)", &capitals);
  }

  // ClientHello.legacy_version (RFC 5246 §7.4.1.2, Appendix E.1).
  void versions() {
    for (const std::uint16_t version : {0x0300, 0x0301, 0x0302}) {
      HelloSpec spec = base_;
      spec.legacy_version = version;
      add("version",
          "client_version " + std::to_string(version >> 8) + "." + std::to_string(version & 0xFF),
          hello_record(spec), alert(AlertDescription::protocol_version),
          "RFC 5246 Appendix E.1 (below TLS 1.2), §7.2.2 protocol_version", &spec);
    }
    for (const std::uint16_t version : {0x0304, 0x03FF}) {
      HelloSpec spec = base_;
      spec.legacy_version = version;
      add("version",
          "client_version " + std::to_string(version >> 8) + "." + std::to_string(version & 0xFF) +
              " without supported_versions",
          hello_record(spec), kAccept,
          "RFC 5246 Appendix E.1 (the server picks TLS 1.2, below the client's)", &spec);
    }
  }

  CredentialSet set_;
  HelloSpec base_;
  std::vector<Case> cases_;
};

}  // namespace

const char* credential_set_name(CredentialSet set) {
  switch (set) {
    case CredentialSet::x509:
      return "X.509 only";
    case CredentialSet::openpgp:
      return "OpenPGP only";
    case CredentialSet::both:
      return "OpenPGP and X.509";
  }
  return "?";
}

std::string alert_outcome(std::uint8_t description) {
  return tls::alert_name(static_cast<tls::AlertDescription>(description));
}

std::vector<Case> make_corpus(CredentialSet set) {
  return Corpus(set).build();
}

}  // namespace pgptls::conformance
