// https_fetch.h: fetching small documents over HTTPS in batch, outside the
// connection path (signed pin lists). libcurl's multi interface
// runs up to `max_parallel` transfers at once; each transfer has its own
// timeout and size cap, so one slow or hostile server cannot stall or bloat
// the batch.
//
// Usage:
//   HttpsFetchOptions options;
//   options.connect_to = {"a.example:443:127.0.0.1:8443"};  // tests only
//   std::vector<FetchOutcome> got = fetch_https({"https://a.example/x.json"}, options);
//   if (got[0].status == FetchStatus::ok) use(got[0].body);
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace pgptls::fetch {

// HttpsFetchOptions: limits and overrides for one batch.
struct HttpsFetchOptions {
  std::size_t max_parallel = 8;
  std::chrono::milliseconds timeout{15'000};  // per transfer, connect included
  std::size_t max_body_bytes = 64 * 1024;     // larger documents are refused
  // curl's --resolve: "HOST:PORT:ADDRESS" entries.
  std::vector<std::string> resolve;
  // curl's --connect-to: "HOST:PORT:CONNECT-HOST:CONNECT-PORT" entries.
  std::vector<std::string> connect_to;
  // Extra trust anchors (PEM file) instead of the system store; tests use a
  // private CA. The server certificate is always verified (RFC 7711 §3:
  // POSH documents are only as good as the HTTPS connection).
  std::optional<std::filesystem::path> ca_file;
  // Called after each finished transfer with (finished, total).
  std::function<void(std::size_t, std::size_t)> progress;
};

// FetchStatus: how one transfer ended.
enum class FetchStatus {
  ok,          // HTTP 200 with a body within the cap
  http_error,  // any other HTTP status (404, 3xx: redirects are not followed)
  too_large,   // the body exceeded max_body_bytes
  timed_out,   // no complete answer within the timeout
  failed,      // DNS, connection or TLS failure, or a URL that is not https
};

// FetchOutcome: the result of one URL, in the order of the request list.
struct FetchOutcome {
  std::string url;
  FetchStatus status = FetchStatus::failed;
  long http_status = 0;
  Bytes body;
  // message: for anything but ok, what went wrong, for the operator
  // ("https://a.example/x: HTTP 404", "...: timed out after 15000 ms").
  std::string message;
};

// fetch_https: fetches every URL; never throws, never follows redirects,
// and only speaks https.
std::vector<FetchOutcome> fetch_https(const std::vector<std::string>& urls,
                                      const HttpsFetchOptions& options);

}  // namespace pgptls::fetch
