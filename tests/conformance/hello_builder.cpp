#include "tests/conformance/hello_builder.h"

#include <algorithm>

namespace pgptls::conformance {
namespace {

// Writer: appends big-endian integers and vectors whose length fields it
// fills in when the vector closes, recording each field.
class Writer {
 public:
  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 8));
    out_.push_back(static_cast<std::uint8_t>(value & 0xFF));
  }
  void bytes(const Bytes& data) { out_.insert(out_.end(), data.begin(), data.end()); }
  void text(const std::string& data) { out_.insert(out_.end(), data.begin(), data.end()); }

  // open / close: a vector with a `width`-byte length field.
  void open(std::string name, std::size_t width) {
    fields_.push_back(LengthField{std::move(name), out_.size(), width});
    open_.push_back(fields_.size() - 1);
    out_.insert(out_.end(), width, 0);
  }
  void close() {
    const LengthField& field = fields_[open_.back()];
    open_.pop_back();
    write_field(out_, field, out_.size() - field.offset - field.width);
  }

  BuiltHello finish(std::vector<std::uint16_t> offered) {
    return BuiltHello{std::move(out_), std::move(fields_), std::move(offered)};
  }

 private:
  Bytes out_;
  std::vector<LengthField> fields_;
  std::vector<std::size_t> open_;
};

}  // namespace

std::size_t read_field(const Bytes& body, const LengthField& field) {
  std::size_t value = 0;
  for (std::size_t i = 0; i < field.width; ++i) {
    value = value << 8 | body[field.offset + i];
  }
  return value;
}

void write_field(Bytes& body, const LengthField& field, std::size_t value) {
  for (std::size_t i = 0; i < field.width; ++i) {
    body[field.offset + field.width - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

BuiltHello build_hello(const HelloSpec& spec) {
  Writer w;
  std::vector<std::uint16_t> offered;
  w.u16(spec.legacy_version);
  for (int i = 0; i < 32; ++i) {
    w.u8(static_cast<std::uint8_t>(0xA0 + i));  // random
  }
  w.open("session_id", 1);
  w.close();
  w.open("cipher_suites", 2);
  for (const std::uint16_t suite : spec.cipher_suites) {
    w.u16(suite);
  }
  w.close();
  w.open("compression_methods", 1);
  w.u8(0);
  w.close();
  w.open("extensions", 2);
  const auto extension = [&](std::uint16_t type, const std::string& name, auto&& data) {
    offered.push_back(type);
    w.u16(type);
    w.open("extension " + name, 2);
    data();
    w.close();
  };
  if (spec.server_name) {
    extension(0, "server_name", [&] {  // RFC 6066 §3
      w.open("server_name list", 2);
      w.u8(0);  // host_name
      w.open("server_name host_name", 2);
      w.text(*spec.server_name);
      w.close();
      w.close();
    });
  }
  extension(10, "supported_groups", [&] {  // RFC 8422 §5.1.1
    w.open("supported_groups list", 2);
    w.u16(29);  // x25519
    w.u16(23);  // secp256r1
    w.close();
  });
  if (spec.point_formats) {
    extension(11, "ec_point_formats", [&] {  // RFC 8422 §5.1.2
      w.open("ec_point_formats list", 1);
      w.u8(0);
      w.close();
    });
  }
  extension(13, "signature_algorithms", [&] {  // RFC 5246 §7.4.1.4.1
    w.open("signature_algorithms list", 2);
    for (const std::uint16_t scheme : {0x0807, 0x0403, 0x0503, 0x0804, 0x0401}) {
      w.u16(scheme);
    }
    w.close();
  });
  if (spec.cert_types) {
    extension(9, "cert_type", [&] {  // RFC 6091 §2
      w.open("cert_type list", 1);
      for (const std::uint8_t type : *spec.cert_types) {
        w.u8(type);
      }
      w.close();
    });
  }
  if (spec.extended_master_secret) {
    extension(23, "extended_master_secret", [] {});  // RFC 7627 §5.1
  }
  if (spec.renegotiation_info) {
    extension(0xFF01, "renegotiation_info", [&] {  // RFC 5746 §3.2
      w.open("renegotiation_info connection", 1);
      w.close();
    });
  }
  for (const auto& [type, data] : spec.extra) {
    extension(type, "extra " + std::to_string(type), [&, &data = data] { w.bytes(data); });
  }
  if (spec.padding) {
    extension(21, "padding", [&] { w.bytes(Bytes(*spec.padding, 0)); });  // RFC 7685
  }
  w.close();
  return w.finish(std::move(offered));
}

Bytes handshake(std::uint8_t type, const Bytes& body) {
  Bytes out(4 + body.size());
  out[0] = type;
  out[1] = static_cast<std::uint8_t>(body.size() >> 16);
  out[2] = static_cast<std::uint8_t>(body.size() >> 8);
  out[3] = static_cast<std::uint8_t>(body.size());
  std::copy(body.begin(), body.end(), out.begin() + 4);
  return out;
}

Bytes records(std::uint8_t type, const Bytes& payload, std::size_t fragment,
              std::uint16_t version) {
  Bytes out;
  std::size_t offset = 0;
  do {
    const std::size_t count = std::min(fragment, payload.size() - offset);
    out.push_back(type);
    out.push_back(static_cast<std::uint8_t>(version >> 8));
    out.push_back(static_cast<std::uint8_t>(version & 0xFF));
    out.push_back(static_cast<std::uint8_t>(count >> 8));
    out.push_back(static_cast<std::uint8_t>(count & 0xFF));
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(offset),
               payload.begin() + static_cast<std::ptrdiff_t>(offset + count));
    offset += count;
  } while (offset < payload.size());
  return out;
}

}  // namespace pgptls::conformance
