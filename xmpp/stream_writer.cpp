#include "xmpp/stream_writer.h"

#include "xmpp/stream_reader.h"

namespace pgptls::xmpp {

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string stream_header(const HeaderFields& fields) {
  std::string out = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='";
  out += kStreamNamespace;
  out += "'";
  if (!fields.from.empty()) {
    out += " from='" + escape_xml(fields.from) + "'";
  }
  if (!fields.to.empty()) {
    out += " to='" + escape_xml(fields.to) + "'";
  }
  if (!fields.id.empty()) {
    out += " id='" + escape_xml(fields.id) + "'";
  }
  return out + " version='1.0'>";
}

std::string starttls_features() {
  return "<stream:features><starttls xmlns='" + std::string(kTlsNamespace) +
         "'><required/></starttls></stream:features>";
}

std::string starttls_request() {
  return "<starttls xmlns='" + std::string(kTlsNamespace) + "'/>";
}

std::string proceed() {
  return "<proceed xmlns='" + std::string(kTlsNamespace) + "'/>";
}

std::string stream_error(std::string_view condition, std::string_view text) {
  const std::string ns(kStreamErrorNamespace);
  std::string out = "<stream:error><" + escape_xml(condition) + " xmlns='" + ns + "'/>";
  if (!text.empty()) {
    out += "<text xmlns='" + ns + "'>" + escape_xml(text) + "</text>";
  }
  return out + "</stream:error>" + stream_close();
}

std::string stream_close() {
  return "</stream:stream>";
}

}  // namespace pgptls::xmpp
