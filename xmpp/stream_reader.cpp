#include "xmpp/stream_reader.h"

#include <expat.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "xmpp/errors.h"

namespace pgptls::xmpp {

// State: the parser and what the handlers record. Offsets are absolute
// byte positions in the stream (XML_GetCurrentByteIndex).
struct StreamReader::State {
  explicit State(ReaderLimits limits_in) : limits(limits_in) {}
  ~State() {
    if (parser != nullptr) {
      XML_ParserFree(parser);
    }
  }

  ReaderLimits limits;
  XML_Parser parser = nullptr;
  std::deque<Event> events;
  std::optional<StreamHeader> header;
  std::optional<Error> error;
  std::optional<Error> handler_error;  // set by a handler that stopped the parser

  int depth = 0;
  bool root_default_ns_ok = false;  // the root declared xmlns='jabber:server'
  std::string root_default_ns;
  bool root_seen = false;
  bool ended = false;
  bool stop_after_element = false;
  bool stopped = false;
  bool keep_bytes = true;
  // Stream restarts (RFC 6120 §6.4.6): expat's offsets count from the
  // current parser's first byte, `bias` is where that was in the stream.
  std::uint64_t bias = 0;
  bool restart_pending = false;
  std::uint64_t restart_at = 0;

  // The bytes kept: from `base` (the end of the last event) to `fed`.
  std::string pending;
  std::uint64_t base = 0;
  std::uint64_t fed = 0;
  // The top-level element in progress.
  std::uint64_t element_start = 0;
  std::uint64_t element_start_count = 0;
  std::string element_ns;
  std::string element_name;
  std::vector<std::string> element_children;

  void fail_in_handler(Errc code, std::string context) {
    if (!handler_error) {
      handler_error = make_error(code, std::move(context));
    }
    XML_StopParser(parser, XML_FALSE);
  }

  // take: the bytes [start, end) as an event's raw text; forgets every byte
  // before `end`.
  std::string take(std::uint64_t start, std::uint64_t end) {
    if (!keep_bytes) {
      base = end;
      return {};
    }
    std::string raw = pending.substr(start - base, end - start);
    pending.erase(0, end - base);
    base = end;
    return raw;
  }
};

namespace {

using State = StreamReader::State;

// split_name: expat reports "URI local" (namespace separator ' ').
std::pair<std::string, std::string> split_name(const XML_Char* name) {
  const std::string_view text(name);
  const auto space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return {"", std::string(text)};
  }
  return {std::string(text.substr(0, space)), std::string(text.substr(space + 1))};
}

void on_namespace(void* data, const XML_Char* prefix, const XML_Char* uri) {
  auto* state = static_cast<State*>(data);
  if (state->depth == 0 && !state->root_seen && prefix == nullptr) {
    state->root_default_ns = uri != nullptr ? uri : "";
  }
}

void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* state = static_cast<State*>(data);
  auto [ns, local] = split_name(name);
  const auto index =
      state->bias + static_cast<std::uint64_t>(XML_GetCurrentByteIndex(state->parser));
  const auto count = static_cast<std::uint64_t>(XML_GetCurrentByteCount(state->parser));
  if (state->depth == 0) {
    // RFC 6120 §4.8.1: the root is <stream> in the streams namespace; the
    // content namespace of a server-to-server stream is jabber:server
    // (§4.8.2). A wrong one is invalid-namespace (§4.9.3.10).
    if (ns != kStreamNamespace || local != "stream") {
      state->fail_in_handler(Errc::invalid_namespace,
                             "the root element is {" + ns + "}" + local +
                                 ", not {http://etherx.jabber.org/streams}stream");
      return;
    }
    if (state->root_default_ns != kServerNamespace) {
      state->fail_in_handler(Errc::invalid_namespace, "the stream's default namespace is '" +
                                                          state->root_default_ns +
                                                          "', not 'jabber:server'");
      return;
    }
    StreamHeader header;
    for (const XML_Char** attribute = attributes; *attribute != nullptr; attribute += 2) {
      const std::string_view key(attribute[0]);
      const std::string value(attribute[1]);
      if (key == "to") {
        header.to = value;
      } else if (key == "from") {
        header.from = value;
      } else if (key == "id") {
        header.id = value;
      } else if (key == "version") {
        header.version = value;
      }
    }
    // RFC 6120 §4.7.5: a major version other than 1 is unsupported-version;
    // a stream without version predates XMPP 1.0 and has no STARTTLS.
    if (!header.version.starts_with("1.")) {
      state->fail_in_handler(Errc::unsupported_version,
                             "the stream header has version='" + header.version +
                                 "'; XMPP 1.0 streams say version='1.0'");
      return;
    }
    state->root_seen = true;
    state->depth = 1;
    header.raw = state->take(index, index + count);
    header.end_offset = index + count;
    state->events.push_back({EventKind::header, std::move(ns), std::move(local), header.raw, {}});
    state->header = std::move(header);
    return;
  }
  if (state->depth == 1) {
    state->element_start = index;
    state->element_start_count = count;
    state->element_ns = std::move(ns);
    state->element_name = std::move(local);
    state->element_children.clear();
  } else if (state->depth == 2 && state->element_children.size() < 32) {
    state->element_children.push_back(ns + " " + local);
  }
  ++state->depth;
}

void on_end(void* data, const XML_Char* /*name*/) {
  auto* state = static_cast<State*>(data);
  --state->depth;
  const auto index =
      state->bias + static_cast<std::uint64_t>(XML_GetCurrentByteIndex(state->parser));
  const auto count = static_cast<std::uint64_t>(XML_GetCurrentByteCount(state->parser));
  if (state->depth == 1) {
    // An empty-element tag reports its end with no bytes of its own.
    const std::uint64_t end =
        count == 0 ? state->element_start + state->element_start_count : index + count;
    Event event{EventKind::element,
                std::move(state->element_ns),
                std::move(state->element_name),
                {},
                std::move(state->element_children)};
    event.raw = state->take(state->element_start, end);
    // RFC 6120 §6.4.6: after <success/> both entities start new streams;
    // the sender's next bytes are a new stream header (with its own XML
    // declaration), so a new parser takes over right after it.
    const bool restarts = event.ns == kSaslNamespace && event.name == "success";
    state->events.push_back(std::move(event));
    if (state->stop_after_element) {
      XML_StopParser(state->parser, XML_TRUE);  // suspend: parse nothing more
    } else if (restarts) {
      state->restart_pending = true;
      state->restart_at = end;
      XML_StopParser(state->parser, XML_TRUE);
    }
  } else if (state->depth == 0) {
    state->ended = true;
    state->take(index, index + count);
    state->events.push_back(
        {EventKind::stream_end, std::string(kStreamNamespace), "stream", {}, {}});
  }
}

void on_text(void* data, const XML_Char* text, int length) {
  auto* state = static_cast<State*>(data);
  if (state->depth != 1) {
    return;
  }
  // Between top-level elements only whitespace (keepalives, RFC 6120
  // §4.6.1) may appear.
  const std::string_view chunk(text, static_cast<std::size_t>(length));
  if (chunk.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    state->fail_in_handler(Errc::bad_format, "text outside any stanza at the top level");
  }
}

// RFC 6120 §11.1: an XML stream MUST NOT contain comments, processing
// instructions, internal or external DTD subsets, or entity declarations.
void on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<State*>(data)->fail_in_handler(Errc::restricted_xml, "the peer sent a DOCTYPE");
}
void on_entity(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
               const XML_Char*, const XML_Char*, const XML_Char*) {
  static_cast<State*>(data)->fail_in_handler(Errc::restricted_xml,
                                             "the peer sent an entity declaration");
}
void on_comment(void* data, const XML_Char*) {
  static_cast<State*>(data)->fail_in_handler(Errc::restricted_xml, "the peer sent a comment");
}
void on_instruction(void* data, const XML_Char*, const XML_Char*) {
  static_cast<State*>(data)->fail_in_handler(Errc::restricted_xml,
                                             "the peer sent a processing instruction");
}

}  // namespace

namespace {

// new_parser: a fresh expat parser for a stream starting at `bias`.
void new_parser(State& state, std::uint64_t bias) {
  if (state.parser != nullptr) {
    XML_ParserFree(state.parser);
  }
  state.bias = bias;
  state.depth = 0;
  state.root_seen = false;
  state.root_default_ns.clear();
  state.header.reset();
  // RFC 6120 §11.6: streams are UTF-8; forcing it also ignores any other
  // encoding an XML declaration names.
  state.parser = XML_ParserCreateNS("UTF-8", ' ');
  if (state.parser == nullptr) {
    return;
  }
  XML_SetUserData(state.parser, &state);
  XML_SetParamEntityParsing(state.parser, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetStartNamespaceDeclHandler(state.parser, on_namespace);
  XML_SetElementHandler(state.parser, on_start, on_end);
  XML_SetCharacterDataHandler(state.parser, on_text);
  XML_SetStartDoctypeDeclHandler(state.parser, on_doctype);
  XML_SetEntityDeclHandler(state.parser, on_entity);
  XML_SetCommentHandler(state.parser, on_comment);
  XML_SetProcessingInstructionHandler(state.parser, on_instruction);
}

}  // namespace

StreamReader::StreamReader(ReaderLimits limits) : state_(std::make_unique<State>(limits)) {
  new_parser(*state_, 0);
}

void StreamReader::restart() {
  State& state = *state_;
  if (state.error) {
    return;
  }
  state.pending.clear();
  state.base = state.fed;
  state.stopped = false;
  new_parser(state, state.fed);
}

StreamReader::~StreamReader() = default;

Status StreamReader::feed(std::string_view bytes) {
  State& state = *state_;
  if (state.error) {
    return *state.error;
  }
  if (state.parser == nullptr) {
    state.error = make_error(Errc::not_well_formed, "the XML parser could not be created");
    return *state.error;
  }
  while (!bytes.empty()) {
    if (state.stopped) {
      // Bytes for the next layer (TLS); never parsed, capped all the same.
      if (state.pending.size() + bytes.size() > state.limits.max_stanza_bytes) {
        state.error = make_error(Errc::stanza_too_large, "too many bytes after STARTTLS");
        return *state.error;
      }
      state.pending.append(bytes);
      return {};
    }
    // The cap in force: the header's until it is complete, then each
    // top-level element's (counted from the end of the previous event).
    const bool in_header = !state.header;
    const std::size_t cap =
        in_header ? state.limits.max_header_bytes : state.limits.max_stanza_bytes;
    const std::uint64_t used = state.fed - state.base;
    if (used >= cap) {
      state.error =
          in_header
              ? make_error(Errc::header_too_large, "more than " + std::to_string(cap) +
                                                       " bytes without a complete stream header")
              : make_error(Errc::stanza_too_large,
                           "a top-level element longer than " + std::to_string(cap) + " bytes");
      return *state.error;
    }
    const std::size_t piece = std::min<std::size_t>(bytes.size(), cap - used);
    if (state.keep_bytes) {
      state.pending.append(bytes.data(), piece);
    }
    const std::uint64_t piece_start = state.fed;
    state.fed += piece;
    const XML_Status status =
        XML_Parse(state.parser, bytes.data(), static_cast<int>(piece), XML_FALSE);
    if (status == XML_STATUS_SUSPENDED && state.restart_pending) {
      // The bytes after <success/> belong to the new stream: parse them
      // again with a new parser.
      state.restart_pending = false;
      bytes.remove_prefix(state.restart_at - piece_start);
      state.fed = state.restart_at;
      state.pending.clear();  // take() moved base to restart_at
      new_parser(state, state.restart_at);
      if (state.parser == nullptr) {
        state.error = make_error(Errc::not_well_formed, "the XML parser could not be created");
        return *state.error;
      }
      continue;
    }
    bytes.remove_prefix(piece);
    if (status == XML_STATUS_SUSPENDED) {
      state.stopped = true;
      continue;
    }
    if (status != XML_STATUS_OK) {
      if (state.handler_error) {
        state.error = std::move(state.handler_error);
      } else {
        const XML_Error code = XML_GetErrorCode(state.parser);
        state.error =
            make_error(Errc::not_well_formed,
                       std::string(XML_ErrorString(code)) + " at line " +
                           std::to_string(XML_GetCurrentLineNumber(state.parser)) + ", column " +
                           std::to_string(XML_GetCurrentColumnNumber(state.parser)));
      }
      state.pending.clear();
      return *state.error;
    }
  }
  return {};
}

std::optional<Event> StreamReader::next() {
  if (state_->events.empty()) {
    return std::nullopt;
  }
  Event event = std::move(state_->events.front());
  state_->events.pop_front();
  return event;
}

const std::optional<StreamHeader>& StreamReader::header() const {
  return state_->header;
}

std::string StreamReader::unparsed_tail() const {
  return state_->pending;
}

void StreamReader::stop_keeping_bytes() {
  state_->keep_bytes = false;
  state_->pending.clear();
  state_->pending.shrink_to_fit();
}

void StreamReader::stop_after_element() {
  state_->stop_after_element = true;
}

std::size_t StreamReader::buffered_bytes() const {
  return state_->pending.size();
}

const std::optional<Error>& StreamReader::error() const {
  return state_->error;
}

}  // namespace pgptls::xmpp
