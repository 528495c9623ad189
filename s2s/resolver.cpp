#include "s2s/resolver.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "base/errors.h"
#include "s2s/errors.h"

namespace pgptls::s2s {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error ares_error(int status, const std::string& what) {
  const Errc code = (status == ARES_ENOTFOUND || status == ARES_ENODATA) ? Errc::no_such_domain
                                                                         : Errc::dns_failure;
  return make_error(code, what + ": " + ares_strerror(status));
}

}  // namespace

Result<std::pair<std::string, Target>> parse_static_target(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return make_error(base::Errc::invalid_value,
                      "static route '" + std::string(text) + "': write DOMAIN=HOST:PORT");
  }
  Target target;
  std::string_view rest = text.substr(equals + 1);
  if (const auto comma = rest.find(','); comma != std::string_view::npos) {
    if (rest.substr(comma + 1) != "direct-tls") {
      return make_error(
          base::Errc::invalid_value,
          "static route '" + std::string(text) + "': the only option after ',' is direct-tls");
    }
    target.direct_tls = true;
    rest = rest.substr(0, comma);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return make_error(base::Errc::invalid_value,
                      "static route '" + std::string(text) + "': write DOMAIN=HOST:PORT");
  }
  std::string host(rest.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text(rest.substr(colon + 1));
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 1 || port > 65535) {
    return make_error(base::Errc::invalid_value,
                      "static route '" + std::string(text) + "': the port must be 1-65535");
  }
  target.host = std::move(host);
  target.port = static_cast<std::uint16_t>(port);
  return std::make_pair(lower(text.substr(0, equals)), target);
}

// SocketWatch: one socket c-ares asked us to watch.
struct SocketWatch {
  explicit SocketWatch(const asio::any_io_executor& executor, int fd) : descriptor(executor, fd) {}
  asio::posix::stream_descriptor descriptor;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
  bool gone = false;
};

struct Resolver::State : std::enable_shared_from_this<Resolver::State> {
  State(asio::any_io_executor executor_in, ResolverConfig config_in)
      : executor(std::move(executor_in)), config(std::move(config_in)), timer(executor) {}

  asio::any_io_executor executor;
  ResolverConfig config;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  std::unordered_map<int, std::shared_ptr<SocketWatch>> sockets;
  bool destroying = false;

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* state = static_cast<State*>(data);
    auto found = state->sockets.find(fd);
    if (readable == 0 && writable == 0) {
      if (found != state->sockets.end()) {
        // c-ares closes the descriptor itself: cancel our waits and let go.
        auto watch = found->second;
        watch->gone = true;
        boost::system::error_code ignored;
        watch->descriptor.cancel(ignored);
        (void)watch->descriptor.release();
        state->sockets.erase(found);
      }
      return;
    }
    std::shared_ptr<SocketWatch> watch;
    if (found == state->sockets.end()) {
      watch = std::make_shared<SocketWatch>(state->executor, fd);
      state->sockets.emplace(fd, watch);
    } else {
      watch = found->second;
    }
    watch->want_read = readable != 0;
    watch->want_write = writable != 0;
    state->arm(watch, fd);
  }

  void arm(const std::shared_ptr<SocketWatch>& watch, int fd) {
    if (watch->want_read && !watch->reading) {
      wait(watch, fd, Direction::read);
    }
    if (watch->want_write && !watch->writing) {
      wait(watch, fd, Direction::write);
    }
  }

  enum class Direction : std::uint8_t { read, write };

  // wait: one wait for the socket to become readable (or writable); then
  // c-ares processes it in that direction and the watch is armed again.
  void wait(const std::shared_ptr<SocketWatch>& watch, int fd, Direction direction) {
    const bool write = direction == Direction::write;
    (write ? watch->writing : watch->reading) = true;
    watch->descriptor.async_wait(
        write ? asio::posix::stream_descriptor::wait_write
              : asio::posix::stream_descriptor::wait_read,
        [self = shared_from_this(), watch, fd, write](boost::system::error_code error) {
          (write ? watch->writing : watch->reading) = false;
          if (error || watch->gone || self->destroying) {
            return;
          }
          ares_process_fd(self->channel, write ? ARES_SOCKET_BAD : fd,
                          write ? fd : ARES_SOCKET_BAD);
          if (!watch->gone) {
            self->arm(watch, fd);
          }
          self->arm_timer();
        });
  }

  // arm_timer: wakes up when c-ares's next timeout is due.
  void arm_timer() {
    timeval max{1, 0};
    timeval next{};
    const timeval* wait = ares_timeout(channel, &max, &next);
    timer.expires_after(std::chrono::seconds(wait->tv_sec) +
                        std::chrono::microseconds(wait->tv_usec));
    timer.async_wait([weak = weak_from_this()](boost::system::error_code error) {
      auto self = weak.lock();
      if (error || !self || self->destroying) {
        return;
      }
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      if (!self->pending.empty()) {
        self->arm_timer();
      }
    });
  }

  // Queries in flight, so their handlers can be dropped on destruction.
  struct Query {
    std::shared_ptr<State> state;
    std::function<void(int status, const unsigned char* answer, int length)> on_srv;
    std::function<void(int status, ares_addrinfo* info)> on_addresses;
  };
  std::unordered_map<Query*, std::unique_ptr<Query>> pending;

  Query* new_query() {
    auto query = std::make_unique<Query>();
    query->state = shared_from_this();
    Query* raw = query.get();
    pending.emplace(raw, std::move(query));
    return raw;
  }

  std::unique_ptr<Query> finish(Query* query) {
    auto found = pending.find(query);
    if (found == pending.end()) {
      return nullptr;
    }
    auto owned = std::move(found->second);
    pending.erase(found);
    return owned;
  }

  static void srv_done(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
    auto* query = static_cast<Query*>(arg);
    auto state = query->state;
    auto owned = state->finish(query);
    if (!owned || state->destroying) {
      return;
    }
    owned->on_srv(status, answer, length);
  }

  static void addresses_done(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
    auto* query = static_cast<Query*>(arg);
    auto state = query->state;
    auto owned = state->finish(query);
    if (!owned || state->destroying) {
      if (info != nullptr) {
        ares_freeaddrinfo(info);
      }
      return;
    }
    owned->on_addresses(status, info);
  }

  // srv: the SRV records of `name` (empty when there are none).
  void srv(const std::string& name, bool direct_tls,
           std::function<void(Result<std::vector<Target>>)> done) {
    Query* query = new_query();
    query->on_srv = [name, direct_tls, done = std::move(done)](
                        int status, const unsigned char* answer, int length) {
      if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
        done(std::vector<Target>{});
        return;
      }
      if (status != ARES_SUCCESS) {
        done(ares_error(status, "SRV " + name));
        return;
      }
      ares_srv_reply* replies = nullptr;
      const int parsed = ares_parse_srv_reply(answer, length, &replies);
      if (parsed == ARES_ENODATA) {
        done(std::vector<Target>{});
        return;
      }
      if (parsed != ARES_SUCCESS) {
        done(ares_error(parsed, "SRV " + name));
        return;
      }
      std::vector<Target> targets;
      for (const ares_srv_reply* reply = replies; reply != nullptr; reply = reply->next) {
        Target target;
        target.host = reply->host;
        target.port = reply->port;
        target.priority = reply->priority;
        target.weight = reply->weight;
        target.direct_tls = direct_tls;
        targets.push_back(std::move(target));
      }
      ares_free_data(replies);
      done(std::move(targets));
    };
    ares_query(channel, name.c_str(), ns_c_in, ns_t_srv, &State::srv_done, query);
    arm_timer();
  }
};

Resolver::Resolver(std::shared_ptr<State> state) : state_(std::move(state)) {}

Resolver::~Resolver() {
  state_->destroying = true;
  state_->timer.cancel();
  for (auto& [fd, watch] : state_->sockets) {
    watch->gone = true;
    boost::system::error_code ignored;
    watch->descriptor.cancel(ignored);
    (void)watch->descriptor.release();
  }
  state_->sockets.clear();
  ares_destroy(state_->channel);  // runs pending callbacks, which drop out
  state_->pending.clear();
}

Result<std::shared_ptr<Resolver>> Resolver::create(asio::any_io_executor executor,
                                                   ResolverConfig config) {
  static std::once_flag library;
  static int library_status = ARES_SUCCESS;
  std::call_once(library, [] { library_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (library_status != ARES_SUCCESS) {
    return ares_error(library_status, "c-ares initialisation");
  }
  if (!config.random) {
    config.random = system_random_up_to();
  }
  auto state = std::make_shared<State>(std::move(executor), std::move(config));
  ares_options options{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  options.sock_state_cb = &State::on_socket_state;
  options.sock_state_cb_data = state.get();
  options.timeout = static_cast<int>(std::max<std::int64_t>(state->config.timeout.count() / 2, 1));
  options.tries = 2;
  std::string lookups = "b";  // DNS only: a configured server is the whole truth
  if (!state->config.server.empty()) {
    options.lookups = lookups.data();
    mask |= ARES_OPT_LOOKUPS;
  }
  const int status = ares_init_options(&state->channel, &options, mask);
  if (status != ARES_SUCCESS) {
    return ares_error(status, "c-ares initialisation");
  }
  if (!state->config.server.empty()) {
    const int set = ares_set_servers_ports_csv(state->channel, state->config.server.c_str());
    if (set != ARES_SUCCESS) {
      ares_destroy(state->channel);
      return make_error(Errc::bad_config, "DNS server '" + state->config.server +
                                              "': " + ares_strerror(set) + "; write IP or IP:PORT");
    }
  }
  return std::shared_ptr<Resolver>(new Resolver(std::move(state)));
}

namespace {

// posted: the handler, always run later from the executor (c-ares may call
// back from inside ares_query itself).
template <class Value>
std::function<void(Result<Value>)> posted(asio::any_io_executor executor,
                                          std::function<void(Result<Value>)> handler) {
  return [executor, handler = std::move(handler)](Result<Value> result) {
    asio::post(executor,
               [handler, result = std::move(result)]() mutable { handler(std::move(result)); });
  };
}

}  // namespace

void Resolver::targets(const std::string& domain_in, TargetsHandler handler_in) {
  const std::string domain = lower(domain_in);
  auto state = state_;
  TargetsHandler handler = posted(state->executor, std::move(handler_in));
  if (auto found = state->config.static_targets.find(domain);
      found != state->config.static_targets.end()) {
    handler(std::vector<Target>{found->second});
    return;
  }
  // Both lookups run at once; the second to finish merges.
  struct Merge {
    std::vector<Target> records;
    int waiting = 2;
    TargetsHandler handler;
  };
  auto merge = std::make_shared<Merge>();
  merge->handler = std::move(handler);
  auto collect = [merge, state, domain](Result<std::vector<Target>> records) {
    if (records.ok()) {
      merge->records.insert(merge->records.end(), records->begin(), records->end());
    }
    if (--merge->waiting > 0) {
      return;
    }
    if (merge->records.empty()) {
      // RFC 6120 §3.2.2: no SRV records, or the SRV lookup failed: the
      // fallback is the domain's own address on the default port, with
      // STARTTLS (its address lookup reports its own failure).
      merge->handler(std::vector<Target>{Target{domain, 5269, false, 0, 0}});
      return;
    }
    // RFC 2782: a single record with target "." says the service is
    // decidedly not available.
    if (merge->records.size() == 1 &&
        (merge->records[0].host == "." || merge->records[0].host.empty())) {
      merge->handler(make_error(Errc::service_disabled, domain));
      return;
    }
    std::erase_if(merge->records,
                  [](const Target& target) { return target.host == "." || target.host.empty(); });
    merge->handler(order_srv(std::move(merge->records), state->config.random));
  };
  state->srv("_xmpps-server._tcp." + domain, true, collect);
  state->srv("_xmpp-server._tcp." + domain, false, collect);
}

void Resolver::addresses(const std::string& host, std::uint16_t port, AddressesHandler handler_in) {
  auto state = state_;
  AddressesHandler handler = posted(state->executor, std::move(handler_in));
  boost::system::error_code parse_error;
  const auto literal = asio::ip::make_address(host, parse_error);
  if (!parse_error) {
    handler(std::vector<tcp::endpoint>{tcp::endpoint(literal, port)});
    return;
  }
  State::Query* query = state->new_query();
  query->on_addresses = [host, port, handler = std::move(handler)](int status,
                                                                   ares_addrinfo* info) {
    if (status != ARES_SUCCESS) {
      if (info != nullptr) {
        ares_freeaddrinfo(info);
      }
      handler(ares_error(status, "address of " + host));
      return;
    }
    std::vector<tcp::endpoint> endpoints;
    for (const ares_addrinfo_node* node = info->nodes; node != nullptr; node = node->ai_next) {
      if (node->ai_family == AF_INET) {
        const auto* address = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
        asio::ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &address->sin_addr, bytes.size());
        endpoints.emplace_back(asio::ip::address_v4(bytes), port);
      } else if (node->ai_family == AF_INET6) {
        const auto* address = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
        asio::ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), &address->sin6_addr, bytes.size());
        endpoints.emplace_back(asio::ip::address_v6(bytes), port);
      }
    }
    ares_freeaddrinfo(info);
    if (endpoints.empty()) {
      handler(make_error(Errc::no_such_domain, "no address for " + host));
      return;
    }
    handler(std::move(endpoints));
  };
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  ares_getaddrinfo(state->channel, host.c_str(), nullptr, &hints, &State::addresses_done, query);
  state->arm_timer();
}

}  // namespace pgptls::s2s
