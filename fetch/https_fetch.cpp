#include "fetch/https_fetch.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace pgptls::fetch {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlList make_list(const std::vector<std::string>& entries) {
  curl_slist* list = nullptr;
  for (const std::string& entry : entries) {
    curl_slist* grown = curl_slist_append(list, entry.c_str());
    if (grown == nullptr) {
      break;
    }
    list = grown;
  }
  return CurlList(list);
}

// Transfer: one URL's handle and the state its callbacks write to.
struct Transfer {
  FetchOutcome* outcome = nullptr;
  std::size_t cap = 0;
  bool overflowed = false;
  CurlEasy handle;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  Bytes& body = transfer->outcome->body;
  if (length > transfer->cap - body.size()) {
    // Returning less than `length` makes curl abort with CURLE_WRITE_ERROR.
    transfer->overflowed = true;
    return 0;
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  body.insert(body.end(), bytes, bytes + length);
  return length;
}

void configure(Transfer& transfer, const HttpsFetchOptions& options, curl_slist* resolve,
               curl_slist* connect_to) {
  CURL* handle = transfer.handle.get();
  curl_easy_setopt(handle, CURLOPT_URL, transfer.outcome->url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_body_bytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "pgptls");
  if (options.ca_file) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_file->c_str());
  }
  if (resolve != nullptr) {
    curl_easy_setopt(handle, CURLOPT_RESOLVE, resolve);
  }
  if (connect_to != nullptr) {
    curl_easy_setopt(handle, CURLOPT_CONNECT_TO, connect_to);
  }
}

void record_result(Transfer& transfer, CURLcode code, const HttpsFetchOptions& options) {
  FetchOutcome& outcome = *transfer.outcome;
  curl_easy_getinfo(transfer.handle.get(), CURLINFO_RESPONSE_CODE, &outcome.http_status);
  const std::string prefix = outcome.url + ": ";
  if (transfer.overflowed || code == CURLE_FILESIZE_EXCEEDED) {
    outcome.status = FetchStatus::too_large;
    outcome.message = prefix + "document larger than " + std::to_string(options.max_body_bytes) +
                      " bytes, refused";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    outcome.status = FetchStatus::timed_out;
    outcome.message = prefix + "timed out after " + std::to_string(options.timeout.count()) + " ms";
  } else if (code != CURLE_OK) {
    outcome.status = FetchStatus::failed;
    outcome.message = prefix + curl_easy_strerror(code);
  } else if (outcome.http_status != 200) {
    outcome.status = FetchStatus::http_error;
    outcome.message = prefix + "HTTP " + std::to_string(outcome.http_status);
  } else {
    outcome.status = FetchStatus::ok;
    return;
  }
  outcome.body.clear();
}

}  // namespace

std::vector<FetchOutcome> fetch_https(const std::vector<std::string>& urls,
                                      const HttpsFetchOptions& options) {
  global_init_once();
  std::vector<FetchOutcome> outcomes(urls.size());
  std::vector<Transfer> transfers(urls.size());
  const CurlList resolve = make_list(options.resolve);
  const CurlList connect_to = make_list(options.connect_to);
  const CurlMulti multi(curl_multi_init());
  for (std::size_t index = 0; index < urls.size(); ++index) {
    outcomes[index].url = urls[index];
    outcomes[index].message = urls[index] + ": could not start the transfer";
    transfers[index].outcome = &outcomes[index];
    transfers[index].cap = options.max_body_bytes;
  }
  if (!multi) {
    return outcomes;
  }
  const std::size_t parallel = options.max_parallel == 0 ? 1 : options.max_parallel;
  std::size_t next = 0;
  std::size_t running = 0;
  std::size_t finished = 0;
  auto start_more = [&] {
    while (running < parallel && next < transfers.size()) {
      Transfer& transfer = transfers[next++];
      transfer.handle.reset(curl_easy_init());
      if (!transfer.handle) {
        ++finished;
        continue;
      }
      configure(transfer, options, resolve.get(), connect_to.get());
      curl_easy_setopt(transfer.handle.get(), CURLOPT_PRIVATE, &transfer);
      if (curl_multi_add_handle(multi.get(), transfer.handle.get()) != CURLM_OK) {
        ++finished;
        continue;
      }
      ++running;
    }
  };
  start_more();
  while (running > 0) {
    int still_running = 0;
    if (curl_multi_perform(multi.get(), &still_running) != CURLM_OK) {
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) {
        continue;
      }
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(multi.get(), message->easy_handle);
      record_result(*transfer, code, options);
      transfer->handle.reset();
      --running;
      ++finished;
      if (options.progress) {
        options.progress(finished, transfers.size());
      }
    }
    start_more();
    if (running > 0) {
      curl_multi_poll(multi.get(), nullptr, 0, 200, nullptr);
    }
  }
  return outcomes;
}

}  // namespace pgptls::fetch
